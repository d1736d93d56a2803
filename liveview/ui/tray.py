"""The tray icon, where the desktop has a system tray: the session's state in its icon and
tooltip (idle, connecting, live, paused, error) and a menu for what is wanted without the
window: start/stop, pause video, mute mic, snapshot, show window, overlay, quit.

The window hides to the tray when closed during a session (QtDesktop decides); without a tray
none of this exists and closing works as before.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from liveview.core import events as core
from liveview.core.app_model import AppModel

ICON_PX = 64
REFRESH_MS = 500  # the pause and mute state are read this often (and on every state change)


class TrayState(Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    PAUSED = "paused"
    ERROR = "error"


_COLOURS = {
    TrayState.IDLE: "#7f8c8d",
    TrayState.CONNECTING: "#f39c12",
    TrayState.LIVE: "#e74c3c",
    TrayState.PAUSED: "#2e86de",
    TrayState.ERROR: "#c0392b",
}


class TrayCommands(Protocol):
    def toggle_session(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def toggle_mic(self) -> None: ...
    def send_snapshot(self) -> None: ...
    def show_window(self) -> None: ...
    def toggle_overlay(self) -> None: ...
    def quit(self) -> None: ...


def session_state(model: AppModel, last: core.ConnectionState) -> TrayState:
    """What the tray shows, from the model and the last connection state seen."""
    if last is core.ConnectionState.ERROR and not model.running:
        return TrayState.ERROR
    if not model.running:
        return TrayState.IDLE
    runtime = model.runtime
    if runtime is None or not runtime.live:
        return TrayState.CONNECTING
    return TrayState.PAUSED if model.video.paused else TrayState.LIVE


def state_icon(base: QIcon, state: TrayState) -> QIcon:
    """The app icon with a badge in the state's colour (a ring while connecting, bars while
    paused, a bang on error): the state reads without colour too."""
    pixmap = base.pixmap(ICON_PX, ICON_PX)
    if pixmap.isNull():
        pixmap = QPixmap(ICON_PX, ICON_PX)
        pixmap.fill(QColor("#2e86de"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(_COLOURS[state])
    badge = QRectF(ICON_PX * 0.52, ICON_PX * 0.52, ICON_PX * 0.46, ICON_PX * 0.46)
    painter.setPen(QPen(QColor("white"), ICON_PX * 0.05))
    painter.setBrush(colour if state is not TrayState.CONNECTING else QColor("white"))
    painter.drawEllipse(badge)
    centre = badge.center()
    if state is TrayState.CONNECTING:
        painter.setPen(QPen(colour, ICON_PX * 0.08))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, badge.width() * 0.25, badge.width() * 0.25)
    elif state is TrayState.PAUSED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        bar_w, bar_h = badge.width() * 0.14, badge.height() * 0.46
        for dx in (-0.12, 0.12):
            x = centre.x() + dx * badge.width() - bar_w / 2
            painter.drawRect(QRectF(x, centre.y() - bar_h / 2, bar_w, bar_h))
    elif state is TrayState.ERROR:
        painter.setPen(QPen(QColor("white"), ICON_PX * 0.07))
        top = QPointF(centre.x(), centre.y() - badge.height() * 0.22)
        painter.drawLine(top, QPointF(centre.x(), centre.y() + badge.height() * 0.06))
        painter.drawPoint(QPointF(centre.x(), centre.y() + badge.height() * 0.22))
    painter.end()
    return QIcon(pixmap)


class QtTrayIcon(QSystemTrayIcon):
    """`state` and the tooltip follow the model; the menu's checks follow the window."""

    def __init__(
        self,
        model: AppModel,
        commands: TrayCommands,
        base_icon: QIcon,
        *,
        mic_on: Callable[[], bool],
        overlay_shown: Callable[[], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tray")
        self.model = model
        self._base = base_icon
        self._mic_on = mic_on
        self._overlay_shown = overlay_shown
        self._last = core.ConnectionState.IDLE
        self._detail = ""
        self.state: TrayState | None = None
        self.menu = QMenu(parent)
        self.menu.setObjectName("tray_menu")
        self.actions_by_name: dict[str, QAction] = {}
        for name, handler, checkable in (
            ("Start session", commands.toggle_session, False),
            ("Pause video", commands.toggle_pause, True),
            ("Mute microphone", commands.toggle_mic, True),
            ("Send a sharp snapshot", commands.send_snapshot, False),
            (None, None, False),
            ("Show window", commands.show_window, False),
            ("Overlay", commands.toggle_overlay, True),
            (None, None, False),
            ("Quit liveview", commands.quit, False),
        ):
            if name is None or handler is None:
                self.menu.addSeparator()
                continue
            action = self.menu.addAction(name)
            action.setCheckable(checkable)
            action.triggered.connect(lambda _=False, h=handler: h())
            self.actions_by_name[name] = action
        self.setContextMenu(self.menu)
        self.menu.aboutToShow.connect(self.refresh)
        self.activated.connect(self._on_activated)
        self._show_window = commands.show_window
        model.bus.on(core.StateChanged, self._on_state)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def detach(self) -> None:
        """Stop following the model (before the icon is deleted with the window)."""
        self._timer.stop()
        self.model.bus.unsubscribe(self._on_state)

    def _on_state(self, event: core.StateChanged) -> None:
        self._last = event.state
        self._detail = event.detail
        self.refresh()

    def refresh(self) -> None:
        state = session_state(self.model, self._last)
        if state is not self.state:
            self.state = state
            self.setIcon(state_icon(self._base, state))
        tip = f"liveview: {state.value}"
        if state is TrayState.ERROR and self._detail:
            tip += f" ({self._detail})"
        elif state in (TrayState.LIVE, TrayState.PAUSED) and self.model.video.kind != "none":
            tip += f" · {self.model.video.kind}"
        self.setToolTip(tip)
        running = self.model.running
        self.actions_by_name["Start session"].setText(
            "Stop session" if running else "Start session"
        )
        self._check("Pause video", self.model.video.paused)
        self._check("Mute microphone", not self._mic_on())
        self._check("Overlay", self._overlay_shown())

    def _check(self, name: str, on: bool) -> None:
        action = self.actions_by_name[name]
        if action.isChecked() != on:
            action.setChecked(on)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self._show_window()
