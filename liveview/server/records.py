"""What the server saw: per-connection records for tests, and the `--record FILE` writer."""

from __future__ import annotations

import json
import queue
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liveview.server.faults import Fault
from liveview.server.inbound import Setup
from liveview.server.tools import ToolExchange

RECORD_QUEUE_LINES = 4_096


@dataclass
class ConnectionInfo:
    """One accepted WebSocket connection, as the server lived it."""

    index: int
    path: str
    api_version: str
    # Every client message, decoded (a message that was not JSON is kept as {"_raw": text}).
    received: list[dict[str, Any]] = field(default_factory=list)
    setup: Setup | None = None
    session_id: str = ""
    resumed: bool = False
    fault: Fault | None = None
    # The close the server chose (code, reason); "dropped" means it cut TCP with no close frame.
    closed_with: tuple[int, str] | None = None
    dropped: bool = False
    sent: Counter[str] = field(default_factory=Counter)  # top-level keys of messages sent
    tool_exchanges: list[ToolExchange] = field(default_factory=list)
    turns_dropped: int = 0
    received_dropped: int = 0  # oldest messages dropped from `received` by the memory budget
    frames_dropped: int = 0

    @property
    def received_kinds(self) -> list[str]:
        return [_kind(m) for m in self.received]


def _kind(message: dict[str, Any]) -> str:
    if len(message) != 1:
        return "?"
    (top,) = message
    body = message[top]
    if isinstance(body, dict) and top in ("realtimeInput", "realtime_input") and body:
        return f"realtimeInput.{next(iter(body))}"
    return str(top)


def decoded(raw: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # kept raw; the parser refuses it
        message = None
    if isinstance(message, dict):
        return message
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return {"_raw": text}


def record_line(raw: str | bytes) -> str:
    """The message as received, on one line. Only a message that itself spans lines is
    re-serialised (compactly), so that the file stays one message per line."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if "\n" not in text and "\r" not in text:
        return text
    try:
        return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    except (ValueError, RecursionError):
        return text.replace("\r", "\\r").replace("\n", "\\n")


class RecordWriter:
    """Appends one line per client message on its own thread, so the loop never waits on disk.

    The queue is bounded; when the disk falls behind, `write` blocks the caller's reader (the
    record must be complete, so backpressure on the client is the honest outcome)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=RECORD_QUEUE_LINES)
        self._file = path.open("a", encoding="utf-8")
        self._thread = threading.Thread(
            target=self._run, name="liveview-server-record", daemon=True
        )
        self._thread.start()

    def try_write(self, line: str) -> bool:
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            return False
        return True

    def write_blocking(self, line: str) -> None:
        self._queue.put(line)

    def _run(self) -> None:
        while True:
            line = self._queue.get()
            if line is None:
                break
            self._file.write(line + "\n")
            if self._queue.empty():
                self._file.flush()  # readers (tests, tail -f) see complete lines promptly
        self._file.flush()
        self._file.close()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
