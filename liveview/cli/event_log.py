"""`--events FILE`: one JSON line per event (time, type, fields); payloads as sizes, never bytes."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TextIO

from liveview.errors import ConfigError, LiveViewError


def event_fields(event: object) -> dict[str, Any]:
    """The JSON-safe fields of an event dataclass."""
    if not dataclasses.is_dataclass(event):
        return {}
    out: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        out[f.name] = _json_safe(getattr(event, f.name))
    return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": len(value)}  # audio/images: the size, never the payload
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, LiveViewError):
        return {"type": type(value).__name__, "message": value.user_message}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {_json_key(k): _json_safe(v) for k, v in value.items()}
    return value


def _json_key(key: object) -> str:
    """("in", "AUDIO") -> "in.AUDIO": the cost meter's tokens by way and modality."""
    if isinstance(key, tuple):
        return ".".join(_json_key(part) for part in key)
    return str(key.value) if isinstance(key, Enum) else str(key)


class EventLog:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.failed = False

    @classmethod
    @contextmanager
    def open(cls, path: str) -> Iterator[EventLog]:
        try:
            stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ConfigError(f"Cannot write the events file {path!r}: {exc.strerror}.") from exc
        try:
            yield cls(stream)
        finally:
            # After a failed write the buffer still holds the line; closing retries it and
            # fails the same way, which write() has already reported.
            with contextlib.suppress(OSError):
                stream.close()

    def write(self, event: object) -> None:
        if self.failed:
            return
        row = {"t": round(time.monotonic() - self.started, 4), "type": type(event).__name__}
        row.update(event_fields(event))
        try:
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.stream.flush()
        except OSError as exc:  # a full disk: say so once; the session itself goes on
            self.failed = True
            sys.stderr.write(
                f"liveview: the events file could not be written ({exc.strerror}); "
                "events after this point are not recorded. The session goes on.\n"
            )
