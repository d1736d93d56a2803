"""The settings dialog. Everything but the key goes to QSettings (via Prefs); the key goes only to
the OS keychain. Changes that need a new session say so while one is running."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from liveview.core.model_list import ModelList, catalogue_list
from liveview.core.prefs import ECHO_MODES, NEEDS_NEW_SESSION, Prefs
from liveview.core.profiles import ProfileSet
from liveview.core.settings import VOICES, Backend
from liveview.desktop.hotkeys import HotkeyAction
from liveview.errors import Setting
from liveview.protocol.catalogue import MEDIA_RESOLUTIONS
from liveview.ui.settings_capabilities import QtCapabilities
from liveview.ui.settings_desktop import QtDesktopTab
from liveview.ui.settings_profiles import QtProfilesTab

BACKENDS = (
    ("", "Automatic (Gemini API with a key, else local)"),
    (Backend.GEMINI.value, "Gemini API"),
    (Backend.VERTEX.value, "Vertex AI"),
    (Backend.LOCAL.value, "Local server (offline)"),
    (Backend.CUSTOM.value, "Custom URL"),
)
# --listen, as the Audio tab offers it.
LISTEN_LABELS = {
    "mic": "The microphone",
    "system": "What the computer plays",
    "both": "Both, mixed",
}
DEFAULT_DEVICE = "System default"
KeyTester = Callable[[Prefs, str | None], Awaitable[tuple[bool, str]]]
ModelLoader = Callable[[Prefs], Awaitable[ModelList]]


def _combo(parent: QWidget, items: list[tuple[str, str]], current: str) -> QComboBox:
    box = QComboBox(parent)
    for value, label in items:
        box.addItem(label, value)
    index = box.findData(current)
    box.setCurrentIndex(max(0, index))
    return box


class QtSettingsDialog(QDialog):
    """`result_prefs()` and `result_key()` after accept(). `key=None`: the key is unchanged."""

    def __init__(
        self,
        prefs: Prefs,
        *,
        key_source: str,
        devices: tuple[list[str], list[str]] = ([], []),
        session_running: bool = False,
        tester: KeyTester | None = None,
        models: ModelList | None = None,
        model_loader: ModelLoader | None = None,
        hotkey_problems: Mapping[HotkeyAction, str] | None = None,
        hotkey_backend: str = "",
        profiles: ProfileSet | None = None,
        profiles_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("liveview settings")
        self.setObjectName("settings")
        self.original = prefs
        self.session_running = session_running
        self.key_present = bool(key_source)
        self._tester = tester
        self._test_task: asyncio.Task[None] | None = None
        self._model_loader = model_loader
        self._models_task: asyncio.Task[None] | None = None
        self.tabs = tabs = QTabWidget(self)
        tabs.addTab(self._connection_tab(prefs, key_source), "Connection")
        tabs.addTab(self._voice_tab(prefs), "Model && voice")
        tabs.addTab(self._video_tab(prefs), "Video")
        tabs.addTab(self._audio_tab(prefs, devices), "Audio")
        tabs.addTab(self._tools_tab(prefs), "Tools")
        self.desktop = QtDesktopTab(
            prefs, problems=hotkey_problems, backend=hotkey_backend, parent=self
        )
        tabs.addTab(self.desktop, "Desktop")
        self.profiles_tab: QtProfilesTab | None = None
        if profiles is not None:
            self.profiles_tab = QtProfilesTab(profiles, profiles_folder, self)
            tabs.addTab(self.profiles_tab, "Profiles")
        self.restart_note = QLabel(self)
        self.restart_note.setObjectName("restart_note")
        self.restart_note.setStyleSheet("color:#e67e22")
        self.restart_note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.restart_note)
        layout.addWidget(buttons)
        self.capabilities = QtCapabilities(self)
        self.set_models(models or catalogue_list())
        self._watch_changes()
        self._on_changed()
        self.resize(600, 520)
        if model_loader is not None:
            self._models_task = asyncio.ensure_future(self.refresh_models())

    def done(self, result: int) -> None:
        """Accepted or cancelled: the dialog's own tasks (key test, model list) end with it."""
        for task in (self._test_task, self._models_task):
            if task is not None and not task.done():
                task.cancel()
        if self.profiles_tab is not None:
            self.profiles_tab.cancel_tasks()
        super().done(result)

    def show_setting(self, setting: Setting | None) -> None:
        """Open the tab that holds `setting` and put the focus on its field."""
        if setting is None:
            return
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index).replace("&&", "&") == setting.tab:
                self.tabs.setCurrentIndex(index)
        field = self.fields_by_setting.get(setting)
        if field is not None:
            field.setFocus()

    # -- the model list ----------------------------------------------------------------------

    def set_models(self, found: ModelList) -> None:
        """Fill the model box with the backend's live models; the typed text stays."""
        current = self.model.currentText()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItems(list(found.models))
        self.model.setEditText(current)
        self.model.blockSignals(False)
        self.models_note.setText(found.describe())

    async def refresh_models(self) -> None:
        assert self._model_loader is not None
        self.models_note.setText("Asking the backend for its live models…")
        found = await self._model_loader(self.result_prefs())
        self.set_models(found)

    # -- tabs --------------------------------------------------------------------------------

    def _connection_tab(self, prefs: Prefs, key_source: str) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.key_edit = QLineEdit(page)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        hint = {
            "environment": "A key is set in the environment (GEMINI_API_KEY); it wins.",
            "keychain": "A key is stored in the OS keychain. Type a new one to replace it.",
        }.get(key_source, "No key stored. It is kept in the OS keychain, never in a file.")
        self.key_edit.setPlaceholderText("unchanged" if key_source else "paste your API key")
        self.clear_key = QCheckBox("Remove the stored key", page)
        self.test_button = QPushButton("Test key", page)
        self.test_result = QLabel(page)
        self.test_result.setObjectName("test_result")
        self.test_result.setWordWrap(True)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.test_button)
        form.addRow("API key", key_row)
        form.addRow("", QLabel(hint, page))
        form.addRow("", self.clear_key)
        form.addRow("", self.test_result)
        self.backend = _combo(page, list(BACKENDS), prefs.backend)
        self.url = QLineEdit(prefs.url, page)
        self.url.setPlaceholderText("ws://… or wss://… (custom backend or a running local server)")
        self.vertex_project = QLineEdit(prefs.vertex_project, page)
        self.vertex_location = QLineEdit(prefs.vertex_location, page)
        form.addRow("Backend", self.backend)
        form.addRow("URL", self.url)
        form.addRow("Vertex project", self.vertex_project)
        form.addRow("Vertex location", self.vertex_location)
        self.test_button.clicked.connect(self._on_test_clicked)
        return page

    def _voice_tab(self, prefs: Prefs) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.model = QComboBox(page)
        self.model.setEditable(True)
        self.model.setEditText(prefs.model)
        self.model.lineEdit().setPlaceholderText("default for the backend")
        self.models_note = QLabel(page)
        self.models_note.setObjectName("models_note")
        self.thinking = _combo(page, [("", "Model's default")], prefs.thinking)
        self.thinking.setObjectName("thinking")
        self.thinking_note = QLabel(page)
        self.transcription_languages = QLineEdit(prefs.transcription_languages, page)
        self.transcription_languages.setPlaceholderText("detected (e.g. en-US, de-DE)")
        self.languages_note = QLabel(page)
        self.voice = _combo(page, [("", "Default")] + [(v, v) for v in VOICES], prefs.voice)
        self.language = QLineEdit(prefs.language, page)
        self.language.setPlaceholderText("automatic (e.g. en-US, de-DE)")
        self.system = QPlainTextEdit(prefs.system_instruction, page)
        self.system.setPlaceholderText("System instruction (optional)")
        self.audio_replies = QCheckBox("Spoken replies", page)
        self.audio_replies.setChecked(prefs.audio_replies)
        replies_note = QLabel(
            "Off: the reply's text only. Today's models always speak; liveview then shows "
            "the transcript and keeps the speaker silent.",
            page,
        )
        replies_note.setWordWrap(True)
        form.addRow("Model", self.model)
        form.addRow("", self.models_note)
        form.addRow("Thinking", self.thinking)
        form.addRow("", self.thinking_note)
        form.addRow("Voice", self.voice)
        form.addRow("Language", self.language)
        form.addRow("Transcription languages", self.transcription_languages)
        form.addRow("", self.languages_note)
        form.addRow("System instruction", self.system)
        form.addRow("", self.audio_replies)
        form.addRow("", replies_note)
        return page

    def _video_tab(self, prefs: Prefs) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.fps = QDoubleSpinBox(page)
        self.fps.setRange(0.2, 5.0)
        self.fps.setSingleStep(0.2)
        self.fps.setValue(prefs.fps)
        self.fps.setSuffix(" frames/s")
        self.max_side = QSpinBox(page)
        self.max_side.setRange(160, 3840)
        self.max_side.setSingleStep(64)
        self.max_side.setValue(prefs.max_side)
        self.max_side.setSuffix(" px")
        self.quality = QSpinBox(page)
        self.quality.setRange(1, 100)
        self.quality.setValue(prefs.jpeg_quality)
        self.threshold = QDoubleSpinBox(page)
        self.threshold.setRange(0.0, 255.0)
        self.threshold.setDecimals(1)
        self.threshold.setValue(prefs.change_threshold)
        self.media_resolution = _combo(
            page,
            [("", "Model's default")] + [(r, r.capitalize()) for r in MEDIA_RESOLUTIONS],
            prefs.media_resolution,
        )
        self.media_resolution.setObjectName("media_resolution")
        self.frame_cost = QLabel(page)
        self.frame_cost.setObjectName("frame_cost")
        form.addRow("Frame rate", self.fps)
        form.addRow("Media resolution", self.media_resolution)
        form.addRow("", self.frame_cost)
        form.addRow("Max size (long side)", self.max_side)
        form.addRow("JPEG quality", self.quality)
        form.addRow("Change threshold", self.threshold)
        form.addRow(
            "", QLabel("Frames that changed less than the threshold are not re-sent.", page)
        )
        return page

    def _audio_tab(self, prefs: Prefs, devices: tuple[list[str], list[str]]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        inputs, outputs = devices
        self.mic_device = _combo(
            page, [("", DEFAULT_DEVICE)] + [(d, d) for d in inputs], prefs.mic_device
        )
        self.speaker_device = _combo(
            page, [("", DEFAULT_DEVICE)] + [(d, d) for d in outputs], prefs.speaker_device
        )
        labels = {
            "cancel": "Echo cancellation",
            "half-duplex": "Half-duplex",
            "off": "Off (headphones)",
        }
        self.echo = _combo(page, [(m, labels[m]) for m in ECHO_MODES], prefs.echo)
        self.listen = _combo(page, list(LISTEN_LABELS.items()), prefs.listen)
        self.listen.setToolTip(
            "System audio is what plays on the default output (a meeting, a lecture, a video); "
            "liveview's own voice is taken out of it."
        )
        self.ptt = QCheckBox("Push-to-talk (automatic voice detection off)", page)
        self.ptt.setChecked(prefs.push_to_talk)
        self.ptt_key = QKeySequenceEdit(QKeySequence(prefs.ptt_key), page)
        form.addRow("Microphone", self.mic_device)
        form.addRow("Speaker", self.speaker_device)
        form.addRow("Echo", self.echo)
        form.addRow("Listen to", self.listen)
        form.addRow("", self.ptt)
        form.addRow("Push-to-talk key", self.ptt_key)
        return page

    def _tools_tab(self, prefs: Prefs) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.functions = QCheckBox(
            "Let the model look closer (snapshot, zoom, sources, pause)", page
        )
        self.functions.setChecked(prefs.functions)
        self.allow_switch = QCheckBox("Let the model switch the source (you can undo it)", page)
        self.allow_switch.setChecked(prefs.allow_source_switch)
        self.search = QCheckBox("Google Search grounding (sources shown under replies)", page)
        self.search.setChecked(prefs.google_search)
        self.code = QCheckBox("Code execution (code and results shown in the conversation)", page)
        self.code.setChecked(prefs.code_execution)
        self.search_note, self.code_note = QLabel(page), QLabel(page)
        self.search_note.setObjectName("search_note")
        self.code_note.setObjectName("code_note")
        for widget in (self.functions, self.allow_switch, self.search, self.search_note):
            form.addRow("", widget)
        form.addRow("", self.code)
        form.addRow("", self.code_note)
        return page

    @property
    def fields_by_setting(self) -> dict[Setting, QWidget]:
        return {
            Setting.API_KEY: self.key_edit,
            Setting.BACKEND: self.backend,
            Setting.URL: self.url,
            Setting.MODEL: self.model,
            Setting.VOICE: self.voice,
            Setting.REPLY_MODE: self.audio_replies,
            Setting.THINKING: self.thinking,
            Setting.TRANSCRIPTION_LANGUAGE: self.transcription_languages,
            Setting.MEDIA_RESOLUTION: self.media_resolution,
            Setting.GOOGLE_SEARCH: self.search,
            Setting.CODE_EXECUTION: self.code,
            Setting.FUNCTIONS: self.functions,
            Setting.HOTKEYS: next(iter(self.desktop.hotkey_edits.values())),
        }

    # -- results -----------------------------------------------------------------------------

    def result_prefs(self) -> Prefs:
        key = self.ptt_key.keySequence().toString() or self.original.ptt_key
        return replace(
            self.desktop.result(self.original),
            backend=self.backend.currentData() or "",
            url=self.url.text().strip(),
            vertex_project=self.vertex_project.text().strip(),
            vertex_location=self.vertex_location.text().strip() or "us-central1",
            model=self.model.currentText().strip(),
            voice=self.voice.currentData() or "",
            language=self.language.text().strip(),
            system_instruction=self.system.toPlainText().strip(),
            audio_replies=self.audio_replies.isChecked(),
            thinking=self.thinking.currentData() or "",
            media_resolution=self.media_resolution.currentData() or "",
            transcription_languages=self.transcription_languages.text().strip(),
            fps=round(self.fps.value(), 2),
            max_side=self.max_side.value(),
            jpeg_quality=self.quality.value(),
            change_threshold=round(self.threshold.value(), 1),
            mic_device=self.mic_device.currentData() or "",
            speaker_device=self.speaker_device.currentData() or "",
            echo=self.echo.currentData() or "cancel",
            listen=self.listen.currentData() or "mic",
            push_to_talk=self.ptt.isChecked(),
            ptt_key=key.split(",")[0].strip(),
            functions=self.functions.isChecked(),
            allow_source_switch=self.allow_switch.isChecked(),
            google_search=self.search.isChecked(),
            code_execution=self.code.isChecked(),
        )

    def result_key(self) -> str | None:
        """ "" to delete the stored key, a new key, or None for no change."""
        if self.clear_key.isChecked():
            return ""
        return self.key_edit.text().strip() or None

    def _watch_changes(self) -> None:
        for edit in (
            self.url, self.vertex_project, self.vertex_location, self.language,
            self.transcription_languages,
        ):  # fmt: skip
            edit.textChanged.connect(self._on_changed)
        for box in (
            self.backend, self.voice, self.mic_device, self.speaker_device, self.echo,
            self.listen, self.thinking, self.media_resolution,
        ):  # fmt: skip
            box.currentIndexChanged.connect(self._on_changed)
        self.model.currentTextChanged.connect(self._on_changed)
        self.system.textChanged.connect(self._on_changed)
        for check in (self.audio_replies, self.ptt, self.functions, self.search, self.code):
            check.toggled.connect(self._on_changed)
        for spin in (self.fps, self.max_side, self.quality, self.threshold):
            spin.valueChanged.connect(self._on_changed)

    def _on_changed(self, *_: object) -> None:
        self.capabilities.apply(self.result_prefs())
        changed = self.result_prefs().changed_fields(self.original) & NEEDS_NEW_SESSION
        if self.session_running and changed:
            names = ", ".join(sorted(n.replace("_", " ") for n in changed))
            self.restart_note.setText(
                f"Takes effect in the next session (stop and start): {names}."
            )
        else:
            self.restart_note.setText("")

    # -- test key ----------------------------------------------------------------------------

    def _on_test_clicked(self) -> None:
        if self._tester is None or (self._test_task and not self._test_task.done()):
            return
        self._test_task = asyncio.ensure_future(self.run_test())

    async def run_test(self) -> bool:
        assert self._tester is not None
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Opening a session…")
        try:
            ok, message = await self._tester(self.result_prefs(), self.result_key() or None)
        finally:
            self.test_button.setEnabled(True)
        self.test_result.setStyleSheet("color:#27ae60" if ok else "color:#e74c3c")
        self.test_result.setText(message)
        if ok and self._model_loader is not None:
            await self.refresh_models()
        return ok
