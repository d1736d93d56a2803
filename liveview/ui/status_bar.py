"""The status bar: backend and model, connection state, session time, and the live figures."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from liveview.core.bus import EventBus
from liveview.core.events import ConnectionState, SessionOpening, StateChanged
from liveview.core.stats import SessionStats

_STATE_TEXT = {
    ConnectionState.IDLE: ("● idle", "#7f8c8d"),
    ConnectionState.CONNECTING: ("● connecting…", "#f39c12"),
    ConnectionState.LIVE: ("● live", "#27ae60"),
    ConnectionState.RECONNECTING: ("● reconnecting…", "#e67e22"),
    ConnectionState.ERROR: ("● error", "#e74c3c"),
    ConnectionState.ENDED: ("● ended", "#7f8c8d"),
}


def format_duration(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class QtSessionStatusBar(QStatusBar):
    """The session's state and backend from the bus; the figures from `update_figures`."""

    def __init__(self, bus: EventBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = QLabel("no session", self)
        self.state = QLabel(self)
        self.elapsed = QLabel("00:00", self)
        self.fps = QLabel("0.0 fps", self)
        self.rates = QLabel("↑ 0 ↓ 0 kbit/s", self)
        self.tokens = QLabel("0 tokens", self)
        self.latency = QLabel("reply –", self)
        self.backend.setToolTip("Backend and model")
        self.elapsed.setToolTip("Session time")
        self.fps.setToolTip("Video frames per second actually sent")
        self.rates.setToolTip("Bandwidth up and down")
        self.tokens.setToolTip("Tokens used in this session")
        self.latency.setToolTip(
            "From the end of your speech (or message) to the reply's first audio"
        )
        self.addWidget(self.backend, 1)
        for label in (self.state, self.elapsed, self.fps, self.rates, self.tokens, self.latency):
            self.addPermanentWidget(label)
        self._started_at: float | None = None
        self.set_state(ConnectionState.IDLE)
        bus.on(StateChanged, lambda e: self.set_state(e.state, e.detail))
        bus.on(SessionOpening, lambda e: self.set_backend(e.description))

    def set_backend(self, description: str) -> None:
        self.backend.setText(description)

    def set_state(self, state: ConnectionState, detail: str = "") -> None:
        text, colour = _STATE_TEXT[state]
        self.state.setText(text)
        self.state.setStyleSheet(f"color:{colour}; font-weight:bold")
        self.state.setToolTip(detail)
        if state is ConnectionState.CONNECTING and self._started_at is None:
            self._started_at = time.monotonic()
        elif state in (ConnectionState.ENDED, ConnectionState.ERROR, ConnectionState.IDLE):
            self._started_at = None

    def update_figures(self, stats: SessionStats | None, now: float) -> None:
        if self._started_at is not None:
            self.elapsed.setText(format_duration(time.monotonic() - self._started_at))
        if stats is None:
            return
        self.fps.setText(f"{stats.fps(now):.1f} fps")
        self.rates.setText(f"↑ {stats.kbit_up(now):.0f} ↓ {stats.kbit_down(now):.0f} kbit/s")
        self.tokens.setText(f"{stats.total_tokens} tokens")
        latency = stats.last_reply_latency_s
        self.latency.setText("reply –" if latency is None else f"reply {latency * 1000:.0f} ms")
