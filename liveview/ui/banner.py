"""The error banner: what happened, and a button that does what fixes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from liveview.core import events as core
from liveview.core.bus import EventBus
from liveview.core.tools import SourceSwitched
from liveview.core.video_host import VideoChanged
from liveview.errors import FatalServiceError, Setting
from liveview.protocol.catalogue import STABLE_MODEL, bare_id

# What the action button does: the main window maps these to handlers.
ACTION_SETTINGS = "settings"
ACTION_MODEL = "model"
ACTION_USE_STABLE = "use_stable"  # switch to today's stable model and start again
ACTION_RETRY = "retry"
ACTION_UNDO_SWITCH = "undo_switch"  # put back the source the model switched away from
ACTION_NONE = ""
RECONNECTING = "Connection lost"


@dataclass(frozen=True)
class BannerMessage:
    text: str
    level: str  # error | warning | info
    action: str = ACTION_NONE
    action_label: str = ""
    setting: Setting | None = None  # where Settings opens for ACTION_SETTINGS


def message_for_failure(event: core.SessionFailed, model: str = "") -> BannerMessage:
    """Map a session failure to words and a fix: the error names the setting that fixes it.
    `model`: the session's model (a refused model is offered today's stable one)."""
    error = event.error
    text = error.user_message
    setting = event.setting
    if setting is Setting.API_KEY:
        return BannerMessage(text, "error", ACTION_SETTINGS, "Open settings (API key)…", setting)
    if setting is Setting.MODEL:
        if model and bare_id(model) != STABLE_MODEL:
            return BannerMessage(text, "error", ACTION_USE_STABLE, f"Use {STABLE_MODEL}", setting)
        return BannerMessage(text, "error", ACTION_MODEL, "Pick another model…", setting)
    if setting is not None:
        return BannerMessage(text, "error", ACTION_SETTINGS, f"Open {setting.value}…", setting)
    if isinstance(error, FatalServiceError):
        return BannerMessage(text, "error", ACTION_SETTINGS, "Settings…")
    return BannerMessage(text, "error", ACTION_RETRY, "Try again")


def message_for_state(event: core.StateChanged) -> BannerMessage | None:
    if event.state is core.ConnectionState.RECONNECTING:
        why = f" ({event.detail})" if event.detail else ""
        return BannerMessage(f"{RECONNECTING}{why}; reconnecting…", "warning")
    return None


_STYLES = {
    "error": "background:#c0392b; color:white;",
    "warning": "background:#e67e22; color:white;",
    "info": "background:#2e86de; color:white;",
}


class QtErrorBanner(QFrame):
    """What went wrong (or what the model did to the video), from the session's bus, with the
    button that fixes it. `current_model()`: the model a session uses (for the stable offer)."""

    action_requested = Signal(str)

    def __init__(
        self, bus: EventBus, current_model: Callable[[], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.message: BannerMessage | None = None
        self.last_switch: SourceSwitched | None = None  # what Undo puts back
        self._current_model = current_model
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.action_button = QPushButton(self)
        self.close_button = QPushButton("Dismiss", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self._on_action)
        self.close_button.clicked.connect(self.clear)
        self.hide()
        bus.on(core.SessionFailed, self._on_failure)
        bus.on(core.StateChanged, self._on_state)
        bus.on(SourceSwitched, self._on_switch)
        bus.on(core.Notice, self._on_notice)
        bus.on(VideoChanged, self._on_video)

    def show_message(self, message: BannerMessage) -> None:
        self.message = message
        self.setStyleSheet(
            f"QFrame#banner {{{_STYLES.get(message.level, '')}}} QLabel {{color:white}}"
        )
        self.label.setText(message.text)
        self.action_button.setText(message.action_label)
        self.action_button.setVisible(bool(message.action))
        self.show()

    def clear(self) -> None:
        self.message = None
        self.hide()

    def _on_action(self) -> None:
        if self.message is not None:
            self.action_requested.emit(self.message.action)

    def _on_failure(self, event: core.SessionFailed) -> None:
        self.show_message(message_for_failure(event, self._current_model()))

    def _on_state(self, event: core.StateChanged) -> None:
        banner = message_for_state(event)
        if banner is not None:
            self.show_message(banner)
        elif event.state is core.ConnectionState.LIVE and self._is_reconnect_banner():
            self.clear()

    def _is_reconnect_banner(self) -> bool:
        return self.message is not None and self.message.text.startswith(RECONNECTING)

    def _on_switch(self, event: SourceSwitched) -> None:
        self.last_switch = event
        text = f"The model switched the video to {event.description}."
        self.show_message(BannerMessage(text, "info", ACTION_UNDO_SWITCH, "Undo"))

    def _on_notice(self, event: core.Notice) -> None:
        if event.level is not core.NoticeLevel.INFO:
            self.show_message(BannerMessage(event.message, event.level.value))

    def _on_video(self, event: VideoChanged) -> None:
        if event.error:
            self.show_message(BannerMessage(f"Video stopped: {event.error}", "warning"))
