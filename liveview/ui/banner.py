"""The error banner: what happened, and a button that does what fixes it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from liveview.core import events as core
from liveview.errors import FatalServiceError, Setting
from liveview.protocol.catalogue import STABLE_MODEL, bare_id

# What the action button does: the main window maps these to handlers.
ACTION_SETTINGS = "settings"
ACTION_MODEL = "model"
ACTION_USE_STABLE = "use_stable"  # switch to today's stable model and start again
ACTION_RETRY = "retry"
ACTION_UNDO_SWITCH = "undo_switch"  # put back the source the model switched away from
ACTION_NONE = ""


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
        return BannerMessage(f"Connection lost{why}; reconnecting…", "warning")
    return None


_STYLES = {
    "error": "background:#c0392b; color:white;",
    "warning": "background:#e67e22; color:white;",
    "info": "background:#2e86de; color:white;",
}


class QtErrorBanner(QFrame):
    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.message: BannerMessage | None = None
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
