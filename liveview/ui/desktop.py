"""liveview as a desktop citizen, beside the main window: the global hotkeys, the tray icon, the
compact overlay and the self-mask. The main window owns one QtDesktop and calls `start()` after
it is shown and `close()` when it closes; everything else lives here so the window stays small.

The commands the hotkeys and the tray call (quick ask, talk, show/hide...) are methods of this
class, acting on the window's own controls so the buttons always show the truth.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from liveview.capture.base import FrameFilter
from liveview.capture.gate import AutoPauseGate
from liveview.capture.screen import list_monitors
from liveview.capture.window import WindowSource
from liveview.core.app_model import AppModel
from liveview.core.settings import Backend
from liveview.core.video_host import VideoHeld
from liveview.desktop.auto_pause import AutoPauseWatcher
from liveview.desktop.windows import WindowInfo
from liveview.errors import LiveViewError, Setting
from liveview.ui.banner import ACTION_SETTINGS, BannerMessage, QtErrorBanner
from liveview.ui.controls import QtSessionControls
from liveview.ui.global_keys import QtGlobalHotkeys
from liveview.ui.overlay import QtOverlay
from liveview.ui.prefs_store import QtPrefsStore
from liveview.ui.privacy_masks import PrivacyMaskHost
from liveview.ui.self_mask import QtSelfMask
from liveview.ui.source_picker import QtSourcePicker
from liveview.ui.status_bar import QtSessionStatusBar
from liveview.ui.tray import QtTrayIcon
from liveview.ui.window_picker import QtWindowPicker

if TYPE_CHECKING:
    from liveview.core.prefs import Prefs

log = logging.getLogger(__name__)

TRAY_NOTE = (
    "The session goes on in the tray. Click the tray icon to show the window, or choose "
    "Quit liveview in its menu to end."
)
TRAY_NOTE_MS = 8000


def tray_available() -> bool:
    """Whether a system tray is there now. On X11 the tray selection's owner is asked directly:
    Qt keeps its first answer for the life of the process, so a tray host that went away (or
    came) later would be missed."""
    if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
        try:
            from Xlib import display

            connection = display.Display()
            try:
                atom = connection.intern_atom(
                    f"_NET_SYSTEM_TRAY_S{connection.get_default_screen()}"
                )
                return bool(connection.get_selection_owner(atom))
            finally:
                connection.close()
        except Exception:  # no X connection to ask: Qt's answer
            pass
    return QSystemTrayIcon.isSystemTrayAvailable()


class DesktopWindow(Protocol):
    """What the desktop integration needs of the main window (a QMainWindow). Named here as a
    protocol because the window owns its QtDesktop: importing the window's class would be a
    circle."""

    model: AppModel
    store: QtPrefsStore
    banner: QtErrorBanner
    sources: QtSourcePicker
    controls: QtSessionControls
    status: QtSessionStatusBar

    def send_snapshot(self) -> None: ...
    def toggle_session(self) -> None: ...
    def toggle_mic(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def close(self) -> bool: ...
    def hide(self) -> None: ...
    def show(self) -> None: ...
    def showNormal(self) -> None: ...
    def raise_(self) -> None: ...
    def activateWindow(self) -> None: ...
    def isVisible(self) -> bool: ...
    def isMinimized(self) -> bool: ...


class QtDesktop(QObject):
    def __init__(self, window: DesktopWindow) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.hotkeys = QtGlobalHotkeys(self, parent=self)
        self.tray: QtTrayIcon | None = None
        self.quitting = False  # Quit was asked: the window closes even during a session
        self.note_shown = ""  # the tray's one-time note, once it was shown
        self.overlay = QtOverlay(
            self.model, window.store, mic_on=window.controls.mic_button.isChecked
        )
        self.overlay.asked.connect(self._on_asked)
        self.self_mask = QtSelfMask(enabled=self.model.prefs.hide_self, parent=self)
        self.auto_pause: AutoPauseWatcher | None = None
        self.privacy = PrivacyMaskHost(
            lambda: window.sources.current_spec, self._say, self.model.video.refilter
        )
        self.model.video.filters = self.video_filters
        self.model.bus.on(VideoHeld, self._on_held)
        window.sources.window_wanted.connect(self.pick_window)
        self.picker: QtWindowPicker | None = None

    def video_filters(self) -> tuple[FrameFilter, ...]:
        """What every frame goes through before it may be encoded, in order: the auto-pause
        gate (a held frame costs no masking), the user's privacy rectangles, liveview's own
        windows filled flat."""
        filters: list[FrameFilter] = []
        if self.auto_pause is not None:
            filters.append(AutoPauseGate(self.auto_pause))
        masks = self.privacy.frame_filter()
        if masks is not None:
            filters.append(masks)
        filters.append(self.self_mask.mask)
        return tuple(filters)

    async def start_auto_pause(self) -> None:
        """Watch the window list (its first look is a few ms on a thread); a desktop without one
        is said once, and frames then pass (the masks still apply)."""
        if self.auto_pause is None:
            watcher = AutoPauseWatcher(self.model.prefs.pause_rules())
            await asyncio.to_thread(watcher.start)
            self.auto_pause = watcher
            if watcher.problem:
                self.window.status.showMessage(watcher.problem, 10000)
        await self.privacy.load()

    def _on_held(self, event: VideoHeld) -> None:
        self.window.controls.set_held(event.badge, event.notice)
        self.overlay.refresh()

    # -- Window… --------------------------------------------------------------------------

    def pick_window(self) -> QtWindowPicker:
        if self.picker is not None:
            self.picker.deleteLater()
        picker = self.picker = QtWindowPicker(self.window)
        picker.accepted.connect(self._on_window_picked)
        picker.show()
        self.model.spawn(picker.refresh(), "list-windows")
        return picker

    def _on_window_picked(self) -> None:
        chosen = self.picker.chosen() if self.picker is not None else None
        if chosen is not None:
            self.model.spawn(self.share_window(chosen), "share-window")

    async def share_window(self, window: WindowInfo) -> None:
        spec = f"window:{window.title}"
        source = WindowSource(window.title, handle=window.handle)
        await self.model.video.use(source, spec, self.model.prefs.video_settings())
        self.window.sources.mark_current(spec)
        self.model.update_prefs(replace(self.model.prefs, source=spec, region=""))

    def _say(self, text: str, error: bool) -> None:
        if error:
            self.window.banner.show_message(BannerMessage(text, "error"))
        else:
            self.window.status.showMessage(text, 10000)

    async def primary_screen(self) -> str:
        """No source chosen yet (a first launch): the primary screen; the test pattern is for
        demos."""
        try:
            monitors = await asyncio.to_thread(list_monitors)
        except LiveViewError:
            monitors = []
        primary = next((m for m in monitors if m.is_primary), monitors[0] if monitors else None)
        return f"screen:{primary.index}" if primary is not None else "none"

    def first_launch_note(self) -> None:
        """The first launch says in one line which backend answers, with a button that opens
        Settings at the key field; after that nothing nags."""
        prefs = self.model.prefs
        if not prefs.first_launch_done:
            key = self.model.keys()[0]
            if prefs.resolved_backend(key) is Backend.LOCAL:
                text = (
                    "Offline: the built-in local server answers. Add a Gemini API key to "
                    "talk to Gemini."
                )
                self.window.banner.show_message(
                    BannerMessage(text, "info", ACTION_SETTINGS, "Add a key…", Setting.API_KEY)
                )
            else:
                backend = prefs.session_settings(key).backend.value
                self.window.status.showMessage(f"Online: {backend} with your key.", 10000)
            self.model.update_prefs(replace(prefs, first_launch_done=True))

    async def start(self) -> None:
        """Grab the global hotkeys (a key that cannot be had is said at once, and in Settings);
        show the tray icon where there is a tray."""
        self.first_launch_note()
        self.start_tray()
        await self.start_auto_pause()
        await self.apply_hotkeys()

    def start_tray(self) -> bool:
        if self.tray is None and tray_available():
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
        if not tray_available():
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
        self.overlay.apply_prefs(new)
        self.self_mask.set_enabled(new.hide_self)
        if self.auto_pause is not None:
            self.auto_pause.set_rules(new.pause_rules())
        if old.hotkeys() != new.hotkeys():
            self.model.spawn(self.apply_hotkeys(), "hotkeys")

    def close(self) -> None:
        self.hotkeys.close()
        self.model.bus.unsubscribe(self._on_held)
        self.overlay.detach()
        self.overlay.close()
        # A parentless window: delete it here, on the GUI thread, rather than whenever the
        # garbage collector happens to run (maybe on a worker thread, which Qt cannot take).
        self.overlay.deleteLater()
        self.self_mask.close()
        if self.auto_pause is not None:
            self.auto_pause.stop()
        if self.tray is not None:
            self.tray.detach()
            self.tray.hide()  # deleted with the window (its parent)

    # -- commands (global hotkeys, tray) -------------------------------------------------

    def quick_ask(self) -> None:
        """Ctrl+Alt+Space: the overlay's prompt, focused, wherever the focus was."""
        self.overlay.open(focus_prompt=True)

    def prompt_has_focus(self) -> bool:
        return self.overlay.isVisible() and self.overlay.prompt.hasFocus()

    def _on_asked(self, text: str) -> None:
        self.model.spawn(self.model.ask_with_snapshot(text), "quick-ask")

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
        if self.overlay.isVisible():
            self.overlay.hide()
        else:
            self.overlay.open()

    def overlay_shown(self) -> bool:
        return self.overlay.isVisible()

    def quit(self) -> None:
        """Quit for real (the tray's Quit, Ctrl+Q): a running session ends."""
        self.quitting = True
        self.window.close()

    def toggle_pause(self) -> None:
        self.window.toggle_pause()

    def toggle_visible(self) -> None:
        """Ctrl+Alt+H: hide the window out of the way (during a session the overlay stays, so
        the session is still in sight), or bring the window back in front."""
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
            if self.model.running:
                self.overlay.open()
        else:
            self.show_window()

    def show_window(self) -> None:
        window = self.window
        window.show()
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
