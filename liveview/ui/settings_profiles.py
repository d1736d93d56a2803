"""Settings › Profiles: the profiles listed, one edited at a time, saved as the user's own file
(a built-in saved under its name replaces it; deleting that file brings the shipped one back),
imported and exported as JSON. Broken files are named with their line above the list.

File work (a few small JSON files) runs on a worker thread; each change is written at once and
`changed` asks the app model to read the profiles again (the toolbar box follows)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liveview.core.profiles import (
    BUILTIN_PROFILES,
    Profile,
    ProfileError,
    ProfileSet,
    ReplyMode,
    delete_profile,
    export_profiles,
    file_name,
    from_json,
    import_profiles,
    load_profiles,
    profiles_folder,
    save_profile,
)
from liveview.core.settings import VOICES
from liveview.core.tool_declarations import TOOL_CHOICES
from liveview.errors import LiveViewError

T = TypeVar("T")
NEW_NAME = "New profile"
_BUILTIN_NAMES = frozenset(p.name.casefold() for p in BUILTIN_PROFILES)
_ERROR_STYLE = "color:#e74c3c"
PROBLEM_SHOWN_CHARS = 140  # each broken file's message, cut; the whole list is the tooltip


def _cut(text: str, limit: int = PROBLEM_SHOWN_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


class QtProfilesTab(QWidget):
    changed = Signal()  # a profile file was written or removed

    def __init__(
        self, profiles: ProfileSet, folder: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profiles_tab")
        self.profiles = profiles
        self.folder = folder
        self._tasks: set[asyncio.Task[Any]] = set()
        self._edited_from: Profile | None = None  # keeps what the form does not show
        self.problems = QLabel(self)
        self.problems.setObjectName("profiles_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(_ERROR_STYLE)
        self.list = QListWidget(self)
        self.list.setObjectName("profiles_list")
        self._fields()
        self.new_button = QPushButton("New", self)
        self.save_button = QPushButton("Save profile", self)
        self.delete_button = QPushButton("Delete", self)
        self.import_button = QPushButton("Import…", self)
        self.export_button = QPushButton("Export…", self)
        self.status = QLabel(self)
        self.status.setObjectName("profiles_status")
        self.status.setWordWrap(True)
        self._layout()
        self.list.currentRowChanged.connect(self._on_row)
        self.new_button.clicked.connect(self.new_profile)
        self.save_button.clicked.connect(lambda: self._spawn(self.save_current()))
        self.delete_button.clicked.connect(lambda: self._spawn(self.delete_current()))
        self.import_button.clicked.connect(self._on_import)
        self.export_button.clicked.connect(self._on_export)
        self.show_profiles(profiles)

    def _fields(self) -> None:
        self.name = QLineEdit(self)
        self.description = QLineEdit(self)
        self.instruction = QPlainTextEdit(self)
        self.instruction.setPlaceholderText("leave empty to keep the one in Model & voice")
        self.voice = QComboBox(self)
        self.voice.addItem("Unchanged", "")
        for voice in VOICES:
            self.voice.addItem(voice, voice)
        self.language = QLineEdit(self)
        self.language.setPlaceholderText("unchanged (e.g. en-US)")
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("unchanged")
        self.reply = QComboBox(self)
        self.reply.addItem("Unchanged", "")
        for mode in ReplyMode:
            self.reply.addItem(mode.value.capitalize(), mode.value)
        self.set_tools = QCheckBox("Set the tools:", self)
        self.tools = {name: QCheckBox(name, self) for name in TOOL_CHOICES}
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("unchanged (none, screen, camera, …)")
        self.fps = QDoubleSpinBox(self)
        self.fps.setRange(0.0, 5.0)
        self.fps.setSingleStep(0.2)
        self.fps.setSpecialValueText("Unchanged")

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Instruction", self.instruction)
        form.addRow("Voice", self.voice)
        form.addRow("Language", self.language)
        form.addRow("Model", self.model)
        form.addRow("Replies", self.reply)
        tools = QHBoxLayout()
        tools.addWidget(self.set_tools)
        for box in self.tools.values():
            tools.addWidget(box)
        tools.addStretch(1)
        form.addRow("Tools", tools)
        form.addRow("Source", self.source)
        form.addRow("Frame rate", self.fps)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(form, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addLayout(row, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    # -- showing -----------------------------------------------------------------------------

    def show_profiles(self, profiles: ProfileSet, select: str | None = None) -> None:
        current = select or self.name.text()
        self.profiles = profiles
        lines = [f"Not loaded: {p}" for p in profiles.problems]
        self.problems.setText("\n".join(_cut(line) for line in lines))
        self.problems.setToolTip("\n".join(lines))
        self.problems.setVisible(bool(profiles.problems))
        self.list.blockSignals(True)
        self.list.clear()
        for profile in profiles.profiles:
            self.list.addItem(profile.name)
        self.list.blockSignals(False)
        names = [p.name.casefold() for p in profiles.profiles]
        wanted = current.casefold()
        self.list.setCurrentRow(names.index(wanted) if wanted in names else 0)

    def _on_row(self, index: int) -> None:
        if 0 <= index < len(self.profiles.profiles):
            self.edit(self.profiles.profiles[index])

    def edit(self, profile: Profile) -> None:
        self.name.setText(profile.name)
        self.description.setText(profile.description)
        self.instruction.setPlainText(profile.system_instruction or "")
        self.voice.setCurrentIndex(max(0, self.voice.findData(profile.voice or "")))
        self.language.setText(profile.language or "")
        self.model.setText(profile.model or "")
        mode = profile.reply_mode.value if profile.reply_mode else ""
        self.reply.setCurrentIndex(max(0, self.reply.findData(mode)))
        self.set_tools.setChecked(profile.tools is not None)
        for name, box in self.tools.items():
            box.setChecked(name in (profile.tools or ()))
        self.source.setText(profile.source or "")
        self.fps.setValue(profile.fps or 0.0)
        self._edited_from = profile
        builtin = profile.name.casefold() in _BUILTIN_NAMES
        self.delete_button.setText("Restore shipped" if builtin else "Delete")
        # Only the user's own file can go (a stat of one small file).
        own = (self.folder or profiles_folder()) / file_name(profile.name)
        self.delete_button.setEnabled(own.exists())

    def new_profile(self) -> None:
        self.list.clearSelection()
        self.edit(Profile(name=NEW_NAME))
        self.name.selectAll()
        self.name.setFocus()

    def edited(self) -> Profile:
        """The form as a profile, checked as a file would be (ProfileError says what)."""
        data: dict[str, Any] = {
            "name": self.name.text().strip(),
            "description": self.description.text().strip(),
            "system_instruction": self.instruction.toPlainText().strip() or None,
            "voice": self.voice.currentData() or None,
            "language": _text(self.language),
            "model": _text(self.model),
            "reply_mode": self.reply.currentData() or None,
            "tools": [n for n, b in self.tools.items() if b.isChecked()]
            if self.set_tools.isChecked()
            else None,
            "source": _text(self.source),
            "fps": round(self.fps.value(), 2) or None,
        }
        kept = self._edited_from
        if kept is not None and kept.instruction_without_model:
            data["instruction_without_model"] = kept.instruction_without_model
        return from_json(data)

    # -- file work ---------------------------------------------------------------------------

    def _spawn(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def _files(self, work: Callable[[], T], done: str, select: str = "") -> T | None:
        """Run `work` on a thread, then read the folder again; errors are said here."""
        try:
            result = await asyncio.to_thread(work)
        except LiveViewError as exc:
            self._say(exc.user_message, error=True)
            return None
        except OSError as exc:
            self._say(f"{done.split(':')[0]} failed: {exc.strerror or exc}", error=True)
            return None
        profiles = await asyncio.to_thread(load_profiles, self.folder)
        self.show_profiles(profiles, select or None)
        self._say(done)
        self.changed.emit()
        return result

    def _say(self, message: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(_ERROR_STYLE if error else "")
        self.status.setText(message)

    async def save_current(self) -> Path | None:
        try:
            profile = self.edited()
        except ProfileError as exc:
            self._say(f"Not saved: {exc.problem.message}", error=True)
            return None
        return await self._files(
            lambda: save_profile(profile, self.folder), f"Saved “{profile.name}”.", profile.name
        )

    async def delete_current(self) -> bool:
        name = self.name.text().strip()
        found = await self._files(
            lambda: delete_profile(name, self.folder), f"“{name}” deleted.", name
        )
        return bool(found)

    async def export_to(self, path: Path) -> bool:
        profiles = self.profiles.profiles

        def work() -> bool:
            export_profiles(profiles, path)
            return True

        done = await self._files(work, f"{len(profiles)} profiles exported to {path}.")
        return bool(done)

    async def import_from(self, path: Path) -> list[Profile]:
        found = await self._files(
            lambda: import_profiles(path, self.folder), f"Imported from {path}."
        )
        return found or []

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import profiles", "", "JSON (*.json)")
        if path:
            self._spawn(self.import_from(Path(path)))

    def _on_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export profiles", "liveview-profiles.json", "JSON (*.json)"
        )
        if path:
            self._spawn(self.export_to(Path(path)))
