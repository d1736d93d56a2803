"""The compact overlay: a small frameless always-on-top window to keep liveview at hand while
another application is in front. It shows the LIVE badges, the mic level and the connection
state, the reply as it streams (its last lines, scrollable), and a prompt line: Enter sends the
question with a sharp snapshot of the current source, Esc hides the overlay.

It is dragged by any part that is not the prompt, and comes back where it was left on the screen
it was on (QtPrefsStore keeps one place per screen). Opacity and click-through come from the
prefs; with click-through on, clicks go to what is below, except while the prompt is open for
typing (quick ask), which needs the keyboard and the mouse.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent, QMoveEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from liveview.core import events as core
from liveview.core.app_model import AppModel
from liveview.core.prefs import Prefs
from liveview.core.transcript import Role
from liveview.ui.controls import CAMERA_KINDS, SCREEN_KINDS, QtLiveIndicator
from liveview.ui.prefs_store import QtPrefsStore

OVERLAY_SIZE = (420, 210)
REPLY_LINES = 5
REFRESH_MS = 150  # badges, level and state
_STATE = {
    core.ConnectionState.IDLE: "idle",
    core.ConnectionState.CONNECTING: "connecting…",
    core.ConnectionState.LIVE: "live",
    core.ConnectionState.RECONNECTING: "reconnecting…",
    core.ConnectionState.ERROR: "error",
    core.ConnectionState.ENDED: "ended",
}


class QtOverlay(QFrame):
    """`asked(text)`: the user pressed Enter on a question (the desktop sends it)."""

    asked = Signal(str)

    def __init__(
        self,
        model: AppModel,
        store: QtPrefsStore,
        *,
        mic_on: Callable[[], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setWindowTitle("liveview overlay")
        self._flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setWindowFlags(self._flags)
        self.model = model
        self.store = store
        self._mic_on = mic_on
        self._drag_from: QPoint | None = None
        self._click_through = False
        self._state = core.ConnectionState.IDLE
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#overlay { background: palette(window); border: 1px solid palette(mid);"
            " border-radius: 8px; }"
        )
        self.state = QLabel(self)
        self.state.setObjectName("overlay_state")
        self.live_screen = QtLiveIndicator("SCREEN", self)
        self.live_camera = QtLiveIndicator("CAMERA", self)
        self.live_mic = QtLiveIndicator("MIC", self)
        self.level = QProgressBar(self)
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setFixedSize(60, 8)
        self.hide_button = QToolButton(self)
        self.hide_button.setText("×")
        self.hide_button.setToolTip("Hide the overlay (Esc)")
        self.hide_button.setAutoRaise(True)
        self.hide_button.clicked.connect(self.hide)
        self.reply = QPlainTextEdit(self)
        self.reply.setObjectName("overlay_reply")
        self.reply.setReadOnly(True)
        self.reply.setFrameShape(QFrame.Shape.NoFrame)
        self.reply.setPlaceholderText("The model's reply shows here.")
        self.prompt = QLineEdit(self)
        self.prompt.setObjectName("overlay_prompt")
        self.prompt.setPlaceholderText("Ask about what is on screen… (Enter; Esc hides)")
        self.prompt.returnPressed.connect(self._on_return)
        self._layout()
        self.resize(*OVERLAY_SIZE)
        model.transcript.subscribe(self._on_entry)
        model.bus.on(core.StateChanged, self._on_state)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.apply_prefs(model.prefs)
        self.refresh()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(4)
        for widget in (self.live_screen, self.live_camera, self.live_mic):
            top.addWidget(widget)
        top.addWidget(self.level)
        top.addStretch(1)
        top.addWidget(self.state)
        top.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.reply, 1)
        layout.addWidget(self.prompt)

    # -- opening -----------------------------------------------------------------------------

    def open(self, *, focus_prompt: bool = False) -> None:
        """Show it where it was left (or top right of the primary screen)."""
        if not self.isVisible():
            self._place()
        # Typing needs input: click-through is lifted while the prompt is wanted.
        self._set_input_transparent(self._click_through and not focus_prompt)
        self.show()
        self.raise_()
        if focus_prompt:
            self.activateWindow()
            self.prompt.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._timer.start()

    def detach(self) -> None:
        """Stop following the model (before the overlay is deleted)."""
        self._timer.stop()
        self.model.transcript.unsubscribe(self._on_entry)
        self.model.bus.unsubscribe(self._on_state)

    def hideEvent(self, event: object) -> None:  # type: ignore[override]
        self._timer.stop()
        super().hideEvent(event)  # type: ignore[arg-type]

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        saved = None
        for candidate in QGuiApplication.screens():
            saved = self.store.load_overlay_position(candidate.name())
            if saved is not None and candidate.geometry().contains(QPoint(*saved)):
                screen = candidate
                break
            saved = None
        if saved is None:
            area = screen.availableGeometry()
            saved = (area.right() - self.width() - 24, area.top() + 48)
        self.move(*saved)

    def apply_prefs(self, prefs: Prefs) -> None:
        self.setWindowOpacity(prefs.overlay_opacity)
        self._click_through = prefs.overlay_click_through
        if self.isVisible():
            self._set_input_transparent(self._click_through and not self.prompt.hasFocus())

    def _set_input_transparent(self, on: bool) -> None:
        flags = self._flags | (Qt.WindowType.WindowTransparentForInput if on else Qt.WindowType(0))
        if self.windowFlags() != flags:
            visible = self.isVisible()
            self.setWindowFlags(flags)  # hides the window: show it again
            if visible:
                self.show()

    @property
    def click_through(self) -> bool:
        return bool(self.windowFlags() & Qt.WindowType.WindowTransparentForInput)

    # -- what it shows -----------------------------------------------------------------------

    def _on_state(self, event: core.StateChanged) -> None:
        self._state = event.state
        self.refresh()

    def refresh(self) -> None:
        app = self.model
        runtime = app.runtime
        connected = runtime is not None and runtime.live
        sending = connected and app.video.sending
        kind = app.video.kind
        hold = app.video.pipeline.hold if app.video.pipeline is not None else None
        for light, live in (
            (self.live_screen, sending and kind in SCREEN_KINDS),
            (self.live_camera, sending and kind in CAMERA_KINDS),
            (self.live_mic, connected and app.audio_state.mic and self._mic_on()),
        ):
            if light.live != live:
                light.set_live(live)
        text = _STATE[self._state]
        if hold is not None and hold.badge:
            text = hold.badge
        elif app.video.paused and connected:
            text = "video paused"
        self.state.setText(f"● {text}")
        self.level.setValue(round(max(0.0, min(1.0, app.runtime_level())) * 100))

    def _on_entry(self, index: int) -> None:
        entry = self.model.transcript.entries[index]
        if entry.role is not Role.MODEL:
            return
        self.reply.setPlainText(entry.text)
        bar = self.reply.verticalScrollBar()
        bar.setValue(bar.maximum())  # the last lines, as it streams

    def reply_text(self) -> str:
        return self.reply.toPlainText()

    # -- input -------------------------------------------------------------------------------

    def _on_return(self) -> None:
        text = self.prompt.text().strip()
        if text:
            self.prompt.clear()
            self.reply.setPlainText("…")
            self.asked.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        super().mouseReleaseEvent(event)

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if self.isVisible():
            screen = self.screen()
            self.store.save_overlay_position(screen.name(), self.x(), self.y())
