"""Writing a conversation to Markdown and JSON, with errors a user can act on: the one export,
used by the window's Export (the live Transcript) and by history (a stored session).

Each file is written to a temporary name next to it and renamed into place, so a full disk or a
failed write never leaves half a file behind; the conversation stays where it was either way.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from liveview.core.transcript import Transcript, iso_time
from liveview.errors import LocalError

if TYPE_CHECKING:
    from liveview.core.history import StoredSession

EXPORT_FORMATS = ("md", "json")


class ExportFailed(LocalError):
    """The conversation could not be written; nothing was lost."""


def export_paths(base: Path) -> tuple[Path, Path]:
    """`chat.md` or `chat.json` or `chat` -> (chat.md, chat.json)."""
    stem = base.with_suffix("") if base.suffix.lower() in (".md", ".json") else base
    return stem.with_name(stem.name + ".md"), stem.with_name(stem.name + ".json")


def _why(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"The disk is full; {path.name} could not be written."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"liveview may not write to {path.parent}."
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"The folder {path.parent} does not exist."
    return f"{path.name} could not be written ({exc.strerror or exc})."


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (blocking). Raises ExportFailed."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ExportFailed(
            f"Export failed: {_why(exc, path)} Nothing was lost: the conversation is still "
            "where it was; choose another folder and export again."
        ) from exc


def snapshot(transcript: Transcript) -> tuple[str, str]:
    """(Markdown, JSON) of the conversation now: taken on the GUI thread, written elsewhere."""
    return transcript.to_markdown(), transcript.to_json()


def export_conversation(markdown: str, as_json: str, base: Path) -> tuple[Path, Path]:
    """Write both files (blocking: call it in a thread). Raises ExportFailed."""
    md_path, json_path = export_paths(base)
    write_atomically(md_path, markdown)
    write_atomically(json_path, as_json)
    return md_path, json_path


# -- a stored session (history): the same format, with what is known of the session ----------


def session_fields(session: StoredSession) -> dict[str, object]:
    meta = session.meta
    return {
        "id": session.id,
        "title": session.title,
        "started": iso_time(meta.started_at),
        "ended": iso_time(session.ended_at) if session.ended_at is not None else None,
        "backend": meta.backend,
        "model": meta.model,
        "source": meta.source,
        "profile": meta.profile,
        "tokens_used": session.tokens_used,
        "estimated_cost_usd": session.cost_usd,  # an estimate from the catalogue's price
    }


def session_text(session: StoredSession, fmt: str) -> str:
    """A kept session as Markdown (`md`) or JSON (`json`), in the window's export format."""
    from liveview.core.history_transcript import transcript_of

    transcript = transcript_of(session)
    if fmt == "json":
        return transcript.to_json(session=session_fields(session))
    if fmt == "md":
        meta = session.meta
        about = [iso_time(meta.started_at), meta.model, meta.backend, meta.source]
        return transcript.to_markdown(subtitle=" · ".join(f"{a}" for a in about if a))
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
