"""Session controls: Start/Stop, mic on/off with a level meter, push-to-talk, pause video,
"send a sharp snapshot now", and a LIVE indicator for each of screen, camera and mic.

They follow the session from the app model's bus: Start becomes Stop while a session runs, the
LIVE badges light while that medium is really being sent, and the pause button follows the
model's own pause_video/resume_video."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liveview.core import events as core
from liveview.core.app_model import AppModel
from liveview.core.session_audio import AudioState
from liveview.core.tools import VideoPausedByModel
from liveview.core.video_host import VideoChanged

LEVEL_STEPS = 100
LEVEL_INTERVAL_MS = 80
SCREEN_KINDS = frozenset({"screen", "window"})
CAMERA_KINDS = frozenset({"camera", "file", "url", "test"})
_LIVE_ON = "background:#e74c3c; color:white; border-radius:4px; padding:2px 8px; font-weight:bold"
_HELD = "background:#e67e22; color:white; border-radius:4px; padding:2px 8px; font-weight:bold"
_LIVE_OFF = "background:palette(mid); color:palette(window); border-radius:4px; padding:2px 8px"


class QtLiveIndicator(QLabel):
    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.live = False
        self.setObjectName(f"live_{what.lower()}")
        self.set_live(False)

    def set_held(self, badge: str, notice: str = "") -> None:
        """Why nothing is sent though the session is live ("paused: KeePassXC")."""
        self.live = False
        self.setText(f"⏸ {self.what} {badge}")
        self.setStyleSheet(_HELD)
        self.setToolTip(notice or badge)

    def set_live(self, live: bool) -> None:
        self.live = live
        self.setText(f"● LIVE {self.what}" if live else f"○ {self.what}")
        self.setStyleSheet(_LIVE_ON if live else _LIVE_OFF)
        self.setToolTip(
            f"{self.what} is being sent to the model" if live else f"{self.what} is not being sent"
        )


class QtSessionControls(QWidget):
    start_stop_clicked = Signal()
    mic_toggled = Signal(bool)  # True: mic on
    push_to_talk = Signal(bool)  # pressed / released
    pause_toggled = Signal(bool)  # True: video paused
    snapshot_clicked = Signal()
    settings_clicked = Signal()

    def __init__(self, app: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self._model_pause = False  # the pause button is being set by the model, not the user
        self.held = ""  # the capture filters' badge while they hold the video
        self._held_notice = ""
        self.start_button = QPushButton("Start session", self)
        self.start_button.setObjectName("start")
        self.start_button.setDefault(True)
        self.mic_button = QPushButton("Mic on", self)
        self.mic_button.setCheckable(True)
        self.mic_button.setChecked(True)
        self.level = QProgressBar(self)
        self.level.setRange(0, LEVEL_STEPS)
        self.level.setTextVisible(False)
        self.level.setFixedWidth(90)
        self.level.setMaximumHeight(10)
        self.level.setToolTip("Microphone level")
        self.ptt_button = QPushButton("Hold to talk", self)
        self.pause_button = QPushButton("Pause video", self)
        self.pause_button.setCheckable(True)
        self.snapshot_button = QPushButton("Sharp snapshot", self)
        self.settings_button = QPushButton("Settings…", self)
        self.live_screen = QtLiveIndicator("SCREEN", self)
        self.live_camera = QtLiveIndicator("CAMERA", self)
        self.live_mic = QtLiveIndicator("MIC", self)
        self._layout()
        self.start_button.clicked.connect(self.start_stop_clicked)
        self.mic_button.toggled.connect(self._on_mic_toggled)
        self.ptt_button.pressed.connect(lambda: self.push_to_talk.emit(True))
        self.ptt_button.released.connect(lambda: self.push_to_talk.emit(False))
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.snapshot_button.clicked.connect(self.snapshot_clicked)
        self.settings_button.clicked.connect(self.settings_clicked)
        self.set_running(False)
        app.bus.subscribe(self._on_session_event, core.StateChanged, AudioState, VideoChanged)
        app.bus.on(VideoPausedByModel, self._on_model_pause)
        self._levels = QTimer(self)
        self._levels.setInterval(LEVEL_INTERVAL_MS)
        self._levels.timeout.connect(lambda: self.set_level(app.runtime_level()))
        self._levels.start()

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        mic = QVBoxLayout()
        mic.setSpacing(2)
        mic.addWidget(self.mic_button)
        mic.addWidget(self.level, 0, Qt.AlignmentFlag.AlignHCenter)
        row.addLayout(mic)
        row.addWidget(self.ptt_button)
        row.addWidget(self.pause_button)
        row.addWidget(self.snapshot_button)
        row.addStretch(1)
        row.addWidget(self.settings_button)
        lights = QHBoxLayout()
        lights.addWidget(self.live_screen)
        lights.addWidget(self.live_camera)
        lights.addWidget(self.live_mic)
        lights.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(lights)

    def set_running(self, running: bool) -> None:
        self.start_button.setText("Stop session" if running else "Start session")
        self.start_button.setProperty("running", running)
        self.ptt_button.setEnabled(running)

    def set_push_to_talk_key(self, key: str) -> None:
        self.ptt_button.setToolTip(f"Hold to talk (or hold {key}); lets you interrupt the model")

    def set_held(self, badge: str, notice: str = "") -> None:
        self.held, self._held_notice = badge, notice
        self.update_live()

    def set_live(self, screen: bool, camera: bool, mic: bool) -> None:
        kind = self.app.video.kind
        for light, live, kinds in (
            (self.live_screen, screen, SCREEN_KINDS),
            (self.live_camera, camera, CAMERA_KINDS),
            (self.live_mic, mic, frozenset()),
        ):
            if self.held and kind in kinds:
                light.set_held(self.held, self._held_notice)
            elif light.live != live or light.text().startswith("⏸"):
                light.set_live(live)

    def set_level(self, level: float) -> None:
        self.level.setValue(round(max(0.0, min(1.0, level)) * LEVEL_STEPS))

    def _on_mic_toggled(self, on: bool) -> None:
        self.mic_button.setText("Mic on" if on else "Mic off")
        self.mic_toggled.emit(on)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume video" if paused else "Pause video")
        if not self._model_pause:  # the model's own pause was already applied by its tools
            self.pause_toggled.emit(paused)

    def _on_model_pause(self, event: VideoPausedByModel) -> None:
        self._model_pause = True  # reflect it without treating it as the user's pause
        self.pause_button.setChecked(event.paused)
        self._model_pause = False

    def _on_session_event(self, event: object) -> None:
        if isinstance(event, core.StateChanged):
            ended = (core.ConnectionState.ENDED, core.ConnectionState.ERROR)
            self.set_running(event.state not in ended)
        self.update_live()

    def update_live(self) -> None:
        """LIVE only while the medium really goes to the model: connected, sending, unmuted."""
        app = self.app
        runtime = app.runtime
        connected = runtime is not None and runtime.live
        sending = connected and app.video.sending
        mic = connected and app.audio_state.mic and self.mic_button.isChecked()
        kind = app.video.kind
        self.set_live(sending and kind in SCREEN_KINDS, sending and kind in CAMERA_KINDS, mic)
