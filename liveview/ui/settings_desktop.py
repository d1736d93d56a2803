"""Settings' Desktop tab: the global hotkeys (each with whether it works, and why not), hiding
liveview from what is sent, auto-pause, and the overlay's opacity and click-through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from liveview.core.prefs import Prefs
from liveview.desktop.auto_pause import DEFAULT_RULES
from liveview.desktop.hotkeys import ACTION_DESCRIPTIONS, HotkeyAction, parse_binding
from liveview.errors import ConfigError

_OK = "color:#27ae60"
_BAD = "color:#e74c3c"


def _short(description: str) -> str:
    return description.split(":")[0]


class QtDesktopTab(QWidget):
    """`problems`: each action whose key the running app could not grab, with the reason;
    `backend`: how hotkeys are grabbed here ("X11 (XGrabKey)"). `privacy_wanted` asks the
    window to open the privacy mask editor (it applies and saves at once, not on OK)."""

    privacy_wanted = Signal()

    def __init__(
        self,
        prefs: Prefs,
        *,
        problems: Mapping[HotkeyAction, str] | None = None,
        backend: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("desktop_tab")
        self._problems = dict(problems or {})
        self._grabbed = prefs.hotkeys()  # what `problems` is about
        form = QFormLayout(self)
        note = f"Global hotkeys work while another application has the focus ({backend})."
        form.addRow(QLabel(note if backend else "Global hotkeys work in every application.", self))
        self._add_hotkey_rows(form, prefs)
        self.hide_self = QCheckBox("Hide liveview from what is sent", self)
        self.hide_self.setChecked(prefs.hide_self)
        self.hide_self.setToolTip(
            "liveview's windows (this one, the overlay, dialogs) are filled flat in every frame"
        )
        self.auto_pause = QCheckBox("Pause video while a password manager is visible", self)
        self.auto_pause.setChecked(prefs.auto_pause)
        self.auto_pause_extra = QPlainTextEdit(prefs.auto_pause_extra, self)
        self.auto_pause_extra.setObjectName("auto_pause_extra")
        self.auto_pause_extra.setPlaceholderText("More window titles or applications, one a line")
        self.auto_pause_extra.setMaximumHeight(70)
        builtin = ", ".join(r.label for r in DEFAULT_RULES[:6])
        self.opacity = QDoubleSpinBox(self)
        self.opacity.setRange(0.3, 1.0)
        self.opacity.setSingleStep(0.05)
        self.opacity.setValue(prefs.overlay_opacity)
        self.click_through = QCheckBox("Clicks go through the overlay (to what is below)", self)
        self.click_through.setChecked(prefs.overlay_click_through)
        form.addRow("", self.hide_self)
        form.addRow("Privacy masks", self._masks_row())
        form.addRow("", self.auto_pause)
        form.addRow("Also pause for", self.auto_pause_extra)
        form.addRow("", QLabel(f"Always: {builtin}, …", self))
        form.addRow("Overlay opacity", self.opacity)
        form.addRow("", self.click_through)

    def _add_hotkey_rows(self, form: QFormLayout, prefs: Prefs) -> None:
        self.hotkey_edits: dict[HotkeyAction, QLineEdit] = {}
        self.hotkey_status: dict[HotkeyAction, QLabel] = {}
        for action, text in prefs.hotkeys().items():
            edit = QLineEdit(text, self)
            edit.setObjectName(f"hotkey_{action.name.lower()}")
            edit.setPlaceholderText("none, e.g. Ctrl+Alt+T")
            edit.setToolTip(ACTION_DESCRIPTIONS[action])
            status = QLabel(self)
            status.setObjectName(f"hotkey_status_{action.name.lower()}")
            status.setWordWrap(True)
            row = QHBoxLayout()
            row.addWidget(edit)
            row.addWidget(status, 1)
            form.addRow(_short(ACTION_DESCRIPTIONS[action]), row)
            self.hotkey_edits[action] = edit
            self.hotkey_status[action] = status
            edit.textChanged.connect(lambda _t, a=action: self._check(a))
            self._check(action)

    def _masks_row(self) -> QHBoxLayout:
        """The button that opens the editor, and what the last edit did."""
        self.draw_masks = QPushButton("Draw privacy masks…", self)
        self.draw_masks.setObjectName("draw_masks")
        self.draw_masks.setToolTip(
            "Rectangles of the screen that are always blacked out in what is sent (Ctrl+Shift+M)"
        )
        self.draw_masks.clicked.connect(self.privacy_wanted)
        self.masks_note = QLabel(self)
        self.masks_note.setObjectName("masks_note")
        masks_row = QHBoxLayout()
        masks_row.addWidget(self.draw_masks)
        masks_row.addWidget(self.masks_note, 1)
        return masks_row

    def _check(self, action: HotkeyAction) -> None:
        """Say at once whether the key is well formed, and whether it works now."""
        text = self.hotkey_edits[action].text().strip()
        status = self.hotkey_status[action]
        if not text:
            status.setStyleSheet("")
            status.setText("off")
            return
        try:
            binding = parse_binding(text)
        except ConfigError as exc:
            status.setStyleSheet(_BAD)
            status.setText(exc.user_message)
            return
        others = [
            a for a, e in self.hotkey_edits.items() if a is not action and _same(e.text(), binding)
        ]
        problem = self._problems.get(action)
        if others:
            status.setStyleSheet(_BAD)
            status.setText(f"also the {others[0].value} key")
        elif problem and _same(self._grabbed.get(action, ""), binding):
            status.setStyleSheet(_BAD)
            status.setText(f"✗ {problem}")
        elif _same(self._grabbed.get(action, ""), binding) and action not in self._problems:
            status.setStyleSheet(_OK)
            status.setText("✓ works")
        else:
            status.setStyleSheet("")
            status.setText("tried when you press OK")

    def problem_texts(self) -> dict[HotkeyAction, str]:
        """What each status line says now (for tests and the accessibility tree)."""
        return {a: label.text() for a, label in self.hotkey_status.items()}

    def result(self, prefs: Prefs) -> Prefs:
        keys = {}
        for action, edit in self.hotkey_edits.items():
            text = edit.text().strip()
            try:
                keys[action] = parse_binding(text).text if text else ""
            except ConfigError:
                keys[action] = text  # kept as typed: the window says why it does not work
        return replace(
            prefs.with_hotkeys(keys),
            hide_self=self.hide_self.isChecked(),
            auto_pause=self.auto_pause.isChecked(),
            auto_pause_extra=self.auto_pause_extra.toPlainText().strip(),
            overlay_opacity=round(self.opacity.value(), 2),
            overlay_click_through=self.click_through.isChecked(),
        )


def _same(text: str, binding: object) -> bool:
    try:
        return parse_binding(text) == binding if text.strip() else False
    except ConfigError:
        return False
