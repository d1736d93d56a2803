"""Writing the conversation to Markdown and JSON, with errors a user can act on.

Each file is written to a temporary name next to it and renamed into place, so a full disk or a
failed write never leaves half a file behind; the conversation stays in the window either way.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from liveview.core.transcript import Transcript
from liveview.errors import LocalError


class ExportFailed(LocalError):
    """The conversation could not be written; nothing in the window was lost."""


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


def _write_atomically(path: Path, text: str) -> None:
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
            "in the window; choose another folder and export again."
        ) from exc


def snapshot(transcript: Transcript) -> tuple[str, str]:
    """(Markdown, JSON) of the conversation now: taken on the GUI thread, written elsewhere."""
    return transcript.to_markdown(), transcript.to_json()


def export_conversation(markdown: str, as_json: str, base: Path) -> tuple[Path, Path]:
    """Write both files (blocking: call it in a thread). Raises ExportFailed."""
    md_path, json_path = export_paths(base)
    _write_atomically(md_path, markdown)
    _write_atomically(json_path, as_json)
    return md_path, json_path
