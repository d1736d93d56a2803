"""The main window: preview, source picker and controls on the left, the conversation on the
right, the status bar below, the protocol inspector as a hidden dock, an error banner on top.

It composes widgets that each take their model and subscribe themselves (the app model's bus,
transcript and video); what is left here is the window's own business: its commands (menus and
shortcuts), the banner's fixes, the source choice, the settings dialog, the push-to-talk key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QVBoxLayout, QWidget

from liveview.capture.screen import MonitorInfo, Region
from liveview.core.app_model import AppModel
from liveview.core.history_reader import HistoryReader
from liveview.encode import VideoCounters
from liveview.errors import LiveViewError, Setting
from liveview.protocol.catalogue import STABLE_MODEL
from liveview.ui.actions import install_actions, show_shortcuts
from liveview.ui.banner import (
    ACTION_MODEL,
    ACTION_RETRY,
    ACTION_SETTINGS,
    ACTION_UNDO_SWITCH,
    ACTION_USE_STABLE,
    BannerMessage,
    QtErrorBanner,
)
from liveview.ui.controls import QtSessionControls
from liveview.ui.conversation import QtConversationPanel
from liveview.ui.cost_panel import QtCostPanel
from liveview.ui.desktop import QtDesktop
from liveview.ui.history_pane import QtHistoryPane
from liveview.ui.inspector import QtProtocolInspector
from liveview.ui.prefs_store import QtPrefsStore
from liveview.ui.preview import QtPreview
from liveview.ui.profile_box import QtProfileBox
from liveview.ui.region_overlay import pick_region
from liveview.ui.settings_dialog import QtSettingsDialog
from liveview.ui.source_picker import QtSourcePicker
from liveview.ui.status_bar import QtSessionStatusBar

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 800)
FIGURES_INTERVAL_MS = 1000


class QtMainWindow(QMainWindow):
    def __init__(self, model: AppModel, store: QtPrefsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.store = store  # where the window's size and docks are kept
        self.closed = asyncio.Event()
        self.setWindowTitle("liveview")
        self.setObjectName("main_window")
        self.banner = QtErrorBanner(model.bus, self._session_model, self)
        self.preview = QtPreview(model.video, self)
        self.sources = QtSourcePicker(self)
        self.controls = QtSessionControls(model, self)
        self.conversation = QtConversationPanel(model.transcript, self)
        self.inspector = QtProtocolInspector(model.bus, self)
        self.status = QtSessionStatusBar(model.bus, self)
        self.cost_panel = QtCostPanel(model.bus, self._video_counters, self)
        history_path = getattr(model.history, "path", None)  # where this run's writer writes
        reader = HistoryReader(history_path if isinstance(history_path, Path) else None)
        self.history = QtHistoryPane(model, reader, self)
        self.profile_box = QtProfileBox(model, self)
        self._layout()
        self.desktop = QtDesktop(self)  # global hotkeys, tray, overlay, self-mask
        self.actions_by_name = install_actions(self, self)
        inspector_action = self.actions_by_name["Protocol inspector"]
        inspector_action.setCheckable(True)
        self.inspector.visibilityChanged.connect(inspector_action.setChecked)
        history_action = self.actions_by_name["History…"]
        history_action.setCheckable(True)
        self.history.visibilityChanged.connect(history_action.setChecked)
        self._connect()
        self._figures = QTimer(self)
        self._figures.setInterval(FIGURES_INTERVAL_MS)
        self._figures.timeout.connect(self._on_figures_due)
        self._figures.start()
        self._ptt_held = False
        # The push-to-talk key is held, wherever the focus is: an application-wide filter.
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._apply_prefs()
        self._restore_geometry()

    def _layout(self) -> None:
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.addWidget(self.preview, 1)
        column.addWidget(self.sources)
        column.addWidget(self.controls)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.conversation)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 500])
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        outer.addWidget(self.banner)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.setStatusBar(self.status)
        toolbar = self.addToolBar("Profile")
        toolbar.setObjectName("profile_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.profile_box)
        toolbar.addAction(self.history.toggleViewAction())
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.inspector)
        self.inspector.hide()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history)
        self.history.hide()

    def _connect(self) -> None:
        self.controls.start_stop_clicked.connect(self.toggle_session)
        self.controls.mic_toggled.connect(self._on_mic_toggled)
        self.controls.push_to_talk.connect(self.model.push_to_talk)
        self.controls.pause_toggled.connect(self.model.set_user_paused)
        self.controls.snapshot_clicked.connect(self.send_snapshot)
        self.controls.settings_clicked.connect(self.open_settings)
        self.conversation.text_submitted.connect(self.model.send_text)
        self.sources.chosen.connect(self._on_source_chosen)
        self.sources.region_wanted.connect(self._on_region_wanted)
        self.banner.action_requested.connect(self._on_banner_action)
        self.status.cost_clicked.connect(self.show_cost)
        self.cost_panel.budget_changed.connect(self._on_budget_changed)
        self.profile_box.profile_chosen.connect(self._on_profile_chosen)

    def _session_model(self) -> str:
        return self.model.prefs.model_for(bool(self.model.keys()[0]))

    def _apply_prefs(self) -> None:
        prefs = self.model.prefs
        key, _ = self.model.keys()
        self.inspector.secrets = (key,) if key else ()
        self.controls.set_push_to_talk_key(prefs.ptt_key)
        self.controls.ptt_button.setVisible(prefs.push_to_talk)
        settings = prefs.session_settings(key)
        self.status.set_backend(f"{settings.backend.value} · {settings.model}")
        self.cost_panel.set_budget(prefs.budget, prefs.budget_pauses_video)

    # -- start-up and shut-down ------------------------------------------------------------

    async def start_up(self) -> None:
        """After show(): read the profiles, probe sources (threads), start the chosen one."""
        await self.model.reload_profiles()
        spec = self.model.prefs.source or await self.desktop.primary_screen()
        await self.select_source(spec, self.model.prefs.region)
        await self.desktop.start()
        await self.sources.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.desktop.close_to_tray(event):
            return
        self.store.save_geometry(self.saveGeometry(), self.saveState())
        self.model.stop_session()
        self.desktop.close()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.closed.set()
        super().closeEvent(event)

    def _restore_geometry(self) -> None:
        geometry, state = self.store.load_geometry()
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            if isinstance(state, QByteArray):
                self.restoreState(state)
            return
        self.resize(*DEFAULT_SIZE)

    # -- commands (menus, shortcuts, buttons) ----------------------------------------------

    def quit(self) -> None:
        self.desktop.quit()

    def toggle_overlay(self) -> None:
        self.desktop.toggle_overlay()

    def toggle_session(self) -> None:
        if self.model.running:
            self.model.stop_session()
        else:
            self.banner.clear()
            self.model.start_session()

    def toggle_mic(self) -> None:
        self.controls.mic_button.toggle()

    def toggle_pause(self) -> None:
        self.controls.pause_button.toggle()

    def send_snapshot(self) -> None:
        if not self.model.video.snapshot():
            self.status.showMessage("No video source to snapshot.", 3000)
        else:
            self.status.showMessage("Sharp snapshot sent.", 2000)

    def choose_source(self, spec: str) -> None:
        self.sources.choose(spec)

    def pick_region(self) -> None:
        if self.sources.monitors:
            monitors = self.sources.monitors
            primary = next((m for m in monitors if m.is_primary), monitors[0])
            self.sources.region_wanted.emit(primary)

    def edit_privacy_masks(self) -> None:
        self.model.spawn(self.desktop.privacy.edit(), "privacy-masks")

    def focus_sources(self) -> None:
        self.sources.setFocus()

    def focus_message(self) -> None:
        self.conversation.input.setFocus()

    def copy_conversation(self) -> None:
        self.conversation.copy_to_clipboard()

    def export_conversation(self) -> None:
        self.conversation.export_with_dialog()

    def toggle_history(self) -> None:
        self.history.setVisible(not self.history.isVisible())
        if self.history.isVisible():
            self.history.search.setFocus()

    def toggle_inspector(self) -> None:
        self.inspector.setVisible(not self.inspector.isVisible())

    def show_shortcuts(self) -> None:
        show_shortcuts(self, self.model.prefs.ptt_key, self.desktop.hotkeys.listing())

    def show_cost(self) -> None:
        self.cost_panel.refresh_frames()
        self.cost_panel.show()
        self.cost_panel.raise_()

    def _video_counters(self) -> VideoCounters | None:
        pipeline = self.model.video.pipeline
        return pipeline.counters if pipeline is not None else None

    def _on_profile_chosen(self, name: str) -> None:
        profile = self.model.profile
        if profile is not None and profile.source is not None:  # the profile's own source
            self.model.spawn(self.select_source(profile.source), "profile-source")
        self.status.showMessage(f"Profile: {name}" if name else "No profile", 3000)

    def _on_budget_changed(self, text: str, pauses_video: bool) -> None:
        prefs = replace(self.model.prefs, budget=text, budget_pauses_video=pauses_video)
        self.model.update_prefs(prefs)  # the running session's budget changes too

    # -- the banner's fixes ----------------------------------------------------------------

    def _on_banner_action(self, action: str) -> None:
        switch = self.banner.last_switch
        if action == ACTION_UNDO_SWITCH and switch is not None:
            self.banner.clear()
            self.model.spawn(self.model.undo_switch(switch), "undo-switch")
            self.banner.last_switch = None
        elif action == ACTION_MODEL:
            self.open_settings(Setting.MODEL)
        elif action == ACTION_SETTINGS:
            message = self.banner.message
            self.open_settings(message.setting if message is not None else None)
        elif action == ACTION_USE_STABLE:
            self.banner.clear()
            self.model.update_prefs(replace(self.model.prefs, model=STABLE_MODEL))
            self._apply_prefs()
            self.model.start_session()
        elif action == ACTION_RETRY:
            self.banner.clear()
            self.model.start_session()

    def _on_mic_toggled(self, on: bool) -> None:
        self.model.set_mic_muted(not on)
        self.controls.update_live()

    # -- video -----------------------------------------------------------------------------

    def _on_source_chosen(self, spec: str, region: str) -> None:
        self.model.spawn(self.select_source(spec, region), "select-source")

    async def select_source(self, spec: str, region: str = "") -> None:
        try:
            await self.model.video.select(spec, region or None, self.model.prefs.video_settings())
        except LiveViewError as exc:
            self.banner.show_message(BannerMessage(exc.user_message, "error"))
            return
        self.sources.mark_current(spec)
        if (spec, region) != (self.model.prefs.source, self.model.prefs.region):
            self.model.update_prefs(replace(self.model.prefs, source=spec, region=region))

    def _on_region_wanted(self, monitor: MonitorInfo) -> None:
        self.model.spawn(self._pick_region(monitor), "pick-region")

    async def _pick_region(self, monitor: MonitorInfo) -> None:
        region: Region | None = await pick_region(monitor)
        if region is not None:
            text = f"{region.x},{region.y},{region.width},{region.height}"
            await self.select_source(f"screen:{monitor.index}", text)

    # -- periodic --------------------------------------------------------------------------

    def _on_figures_due(self) -> None:
        controller = self.model.controller
        self.status.update_figures(controller.stats if controller else None, time.monotonic())
        self.inspector.set_loop_lag(self.model.lag.p99_ms(), self.model.lag.max_ms())
        self.controls.update_live()
        if self.cost_panel.isVisible():
            self.cost_panel.refresh_frames()

    # -- settings --------------------------------------------------------------------------

    def open_settings(self, setting: Setting | None = None) -> QtSettingsDialog:
        """The settings dialog, on the tab (and field) of `setting` when one is given."""
        _, source = self.model.keys()
        dialog = QtSettingsDialog(
            self.model.prefs,
            key_source=source,
            devices=self._device_names(),
            session_running=self.model.running,
            tester=self.model.test_key,
            model_loader=self.model.live_models,
            hotkey_problems=self.desktop.hotkeys.problems(),
            hotkey_backend=self.desktop.hotkeys.backend_name,
            profiles=self.model.profiles,
            profiles_folder=self.model.profiles_folder,
            parent=self,
        )
        if dialog.profiles_tab is not None:
            dialog.profiles_tab.changed.connect(
                lambda: self.model.spawn(self.model.reload_profiles(), "reload-profiles")
            )
        dialog.desktop.masks_note.setText(self.desktop.privacy.summary())
        dialog.desktop.privacy_wanted.connect(lambda: self._draw_masks_from(dialog))
        dialog.show_setting(setting)
        dialog.accepted.connect(lambda: self._on_settings_accepted(dialog))
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _draw_masks_from(self, dialog: QtSettingsDialog) -> None:
        async def draw() -> None:
            dialog.desktop.masks_note.setText(await self.desktop.privacy.edit(dialog))

        self.model.spawn(draw(), "privacy-masks")

    def _device_names(self) -> tuple[list[str], list[str]]:
        try:
            from liveview.audio import list_audio_devices

            devices = list_audio_devices()
        except Exception:  # audio missing: the dialog offers the system default only
            return [], []
        return devices.inputs, devices.outputs

    def _on_settings_accepted(self, dialog: QtSettingsDialog) -> None:
        try:
            self.model.update_key(dialog.result_key())
        except LiveViewError as exc:
            self.banner.show_message(
                BannerMessage(exc.user_message, "error", ACTION_SETTINGS, "Settings…")
            )
        old = self.model.prefs
        new = dialog.result_prefs()
        self.model.update_prefs(new)
        self._apply_prefs()
        self.desktop.prefs_changed(old, new)
        video_fields = {"fps", "max_side", "jpeg_quality", "change_threshold"}
        if new.changed_fields(old) & video_fields:
            self.model.spawn(self.select_source(new.source, new.region), "restart-video")

    # -- push-to-talk key (held, so an event filter rather than a shortcut) ----------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and self.model.prefs.push_to_talk:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            wanted = QKeySequence(self.model.prefs.ptt_key)
            if (
                not key_event.isAutoRepeat()
                and wanted.count()
                and key_event.keyCombination() == wanted[0]
            ):
                pressed = kind == QEvent.Type.KeyPress
                if pressed != self._ptt_held:
                    self._ptt_held = pressed
                    self.model.push_to_talk(pressed)
                return True
        return super().eventFilter(watched, event)
