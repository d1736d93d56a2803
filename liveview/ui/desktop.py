"""liveview as a desktop citizen, beside the main window: the global hotkeys, the tray icon, the
compact overlay and the self-mask. The main window owns one QtDesktop and calls `start()` after
it is shown and `close()` when it closes; everything else lives here so the window stays small.

The commands the hotkeys and the tray call (quick ask, talk, show/hide...) are methods of this
class, acting on the window's own controls so the buttons always show the truth.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from liveview.errors import Setting
from liveview.ui.banner import ACTION_SETTINGS, BannerMessage
from liveview.ui.global_keys import QtGlobalHotkeys
from liveview.ui.tray import QtTrayIcon

if TYPE_CHECKING:
    from liveview.core.prefs import Prefs
    from liveview.ui.main_window import QtMainWindow

log = logging.getLogger(__name__)

TRAY_NOTE = (
    "The session goes on in the tray. Click the tray icon to show the window, or choose "
    "Quit liveview in its menu to end."
)
TRAY_NOTE_MS = 8000


class QtDesktop(QObject):
    def __init__(self, window: QtMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.hotkeys = QtGlobalHotkeys(self, parent=self)
        self.tray: QtTrayIcon | None = None
        self.quitting = False  # Quit was asked: the window closes even during a session
        self.note_shown = ""  # the tray's one-time note, once it was shown

    async def start(self) -> None:
        """Grab the global hotkeys (a key that cannot be had is said at once, and in Settings);
        show the tray icon where there is a tray."""
        self.start_tray()
        await self.apply_hotkeys()

    def start_tray(self) -> bool:
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
            self.tray = QtTrayIcon(
                self.model,
                self,
                icon,
                mic_on=self.window.controls.mic_button.isChecked,
                overlay_shown=self.overlay_shown,
                parent=self.window,
            )
            self.tray.show()
        return self.tray is not None

    def close_to_tray(self, event: QCloseEvent) -> bool:
        """Closing the window during a session hides it to the tray (said once); True when it
        did. Without a tray, or with no session, the window closes as ever."""
        tray = self.tray
        if self.quitting or tray is None or not tray.isVisible() or not self.model.running:
            return False
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        event.ignore()
        self.window.hide()
        if not self.model.prefs.tray_note_shown:
            tray.showMessage(
                "liveview is still running",
                TRAY_NOTE,
                QSystemTrayIcon.MessageIcon.Information,
                TRAY_NOTE_MS,
            )
            self.note_shown = TRAY_NOTE
            self.model.update_prefs(replace(self.model.prefs, tray_note_shown=True))
        return True

    async def apply_hotkeys(self) -> None:
        await self.hotkeys.apply(self.model.prefs.hotkeys())
        problems = self.hotkeys.problems()
        banner = self.window.banner
        if problems:
            keys = "; ".join(problems.values())
            banner.show_message(
                BannerMessage(
                    f"Some global hotkeys do not work: {keys}",
                    "warning",
                    ACTION_SETTINGS,
                    "Settings…",
                    setting=Setting.HOTKEYS,
                )
            )
        elif banner.message is not None and banner.message.setting is Setting.HOTKEYS:
            banner.clear()  # fixed in Settings

    def prefs_changed(self, old: Prefs, new: Prefs) -> None:
        """Settings were accepted: re-grab changed hotkeys (the result is said again)."""
        if old.hotkeys() != new.hotkeys():
            self.model.spawn(self.apply_hotkeys(), "hotkeys")

    def close(self) -> None:
        self.hotkeys.close()
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None

    # -- commands (global hotkeys, tray) -------------------------------------------------

    def quick_ask(self) -> None:
        """Ctrl+Alt+Space: somewhere to type a question, wherever the focus was."""
        self.show_window()
        self.window.focus_message()

    def prompt_has_focus(self) -> bool:
        return self.window.conversation.input.hasFocus()

    def talk(self, on: bool) -> None:
        """The talk key: push-to-talk's activity while held, else the microphone itself."""
        if self.model.prefs.push_to_talk:
            self.model.push_to_talk(on)
        elif self.window.controls.mic_button.isChecked() != on:
            self.window.controls.mic_button.setChecked(on)

    def talking_already(self) -> bool:
        return not self.model.prefs.push_to_talk and self.window.controls.mic_button.isChecked()

    def send_snapshot(self) -> None:
        self.window.send_snapshot()

    def toggle_session(self) -> None:
        self.window.toggle_session()

    def toggle_mic(self) -> None:
        self.window.toggle_mic()

    def toggle_overlay(self) -> None:
        self.show_window()

    def overlay_shown(self) -> bool:
        return False

    def quit(self) -> None:
        """Quit for real (the tray's Quit, Ctrl+Q): a running session ends."""
        self.quitting = True
        self.window.close()

    def toggle_pause(self) -> None:
        self.window.toggle_pause()

    def toggle_visible(self) -> None:
        """Ctrl+Alt+H: hide the window (out of the way), or bring it back in front."""
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.show_window()

    def show_window(self) -> None:
        window = self.window
        window.show()
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
