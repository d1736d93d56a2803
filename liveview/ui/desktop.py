"""liveview as a desktop citizen, beside the main window: the global hotkeys, the tray icon, the
compact overlay and the self-mask. The main window owns one QtDesktop and calls `start()` after
it is shown and `close()` when it closes; everything else lives here so the window stays small.

The commands the hotkeys and the tray call (quick ask, talk, show/hide...) are methods of this
class, acting on the window's own controls so the buttons always show the truth.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from liveview.errors import Setting
from liveview.ui.banner import ACTION_SETTINGS, BannerMessage
from liveview.ui.global_keys import QtGlobalHotkeys

if TYPE_CHECKING:
    from liveview.core.prefs import Prefs
    from liveview.ui.main_window import QtMainWindow

log = logging.getLogger(__name__)


class QtDesktop(QObject):
    def __init__(self, window: QtMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.hotkeys = QtGlobalHotkeys(self, parent=self)

    async def start(self) -> None:
        """Grab the global hotkeys; a key that cannot be had is said at once (and in Settings)."""
        await self.apply_hotkeys()

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
