"""Conversation state and the resumption handles that bring it back on a new connection."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from liveview.server.outbound import TokenLedger
from liveview.server.vision import FrameAnalysis

HANDLE_TTL_S = 2 * 3600.0  # PROTOCOL.md: handles stay valid ~2 h
MAX_HANDLES = 1_000  # oldest handles are forgotten past this (they then read as expired)
HISTORY_TURNS = 50  # conversation lines kept; older ones are dropped


@dataclass
class Conversation:
    """What a session knows; survives reconnects through handles."""

    session_id: str = field(default_factory=lambda: secrets.token_hex(8))
    history: list[tuple[str, str]] = field(default_factory=list)  # (role, text)
    turns: int = 0
    ledger: TokenLedger = field(default_factory=TokenLedger)
    latest_frame: FrameAnalysis | None = None
    resumed_times: int = 0
    # For the session limits without compression (they count across resumptions).
    started_at: float = field(default_factory=time.monotonic)
    video_seen: bool = False

    def remember(self, role: str, text: str) -> None:
        self.history.append((role, text))
        del self.history[:-HISTORY_TURNS]

    def user_lines(self) -> list[str]:
        return [text for role, text in self.history if role == "user"]


class HandleStore:
    """Handle -> a snapshot of the conversation when the handle was issued. Thread-safe: tests
    may expire handles from their own thread."""

    def __init__(
        self, ttl_s: float = HANDLE_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._handles: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()

    def issue(self, conversation: Conversation) -> str:
        handle = secrets.token_urlsafe(24)
        # The frame analysis is immutable; the rest is copied so later turns do not leak back.
        frame = conversation.latest_frame
        conversation.latest_frame = None
        snapshot = copy.deepcopy(conversation)
        conversation.latest_frame = snapshot.latest_frame = frame
        with self._lock:
            self._handles[handle] = (self._clock(), snapshot)
            while len(self._handles) > MAX_HANDLES:
                self._handles.popitem(last=False)
        return handle

    def restore(self, handle: str) -> Conversation | None:
        """A fresh copy of the conversation, or None when the handle is unknown or expired."""
        with self._lock:
            entry = self._handles.get(handle)
            if entry is None or self._clock() - entry[0] > self.ttl_s:
                self._handles.pop(handle, None)
                return None
            frame = entry[1].latest_frame
        conversation = copy.copy(entry[1])
        conversation.history = list(entry[1].history)
        conversation.ledger = copy.copy(entry[1].ledger)
        conversation.latest_frame = frame
        conversation.resumed_times += 1
        return conversation

    def expire_all(self) -> None:
        with self._lock:
            self._handles.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._handles)
