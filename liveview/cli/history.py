"""`liveview history list|show|search|export|delete`: the kept conversations, from a terminal.

  liveview history list                      newest first, one session a line, its id first
  liveview history show ID [--json]          the whole conversation (the export's Markdown)
  liveview history search TEXT               best matches first, with a snippet
  liveview history export ID [--format md|json] [-o FILE]
  liveview history delete ID | --all

Exit codes: 0 done, 2 usage or an unknown id, 3 the database cannot be used (damaged, locked,
from a newer liveview: said with its path and what to do; it is never replaced), 1 a file
could not be written. Reading never creates the database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from liveview.core.export import EXPORT_FORMATS, ExportFailed, session_text, write_atomically
from liveview.core.history import HistoryStore, SessionSummary, StoredSession
from liveview.core.history_db import HistoryError, default_path
from liveview.core.history_limits import HistoryPolicy, Retention, parse_retention
from liveview.errors import ExitCode

LIST_LIMIT = 50
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def _when(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d %H:%M")


def _length(summary: SessionSummary) -> str:
    if summary.ended_at is None:
        return "not ended"
    minutes, seconds = divmod(max(0, round(summary.ended_at - summary.started_at)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def list_line(summary: SessionSummary) -> str:
    title = summary.title or "(nothing said by you)"
    return (
        f"{summary.id:>5}  {_when(summary.started_at)}  {_length(summary):>9}  "
        f"{summary.turns:>3} turns  {summary.model or '-'}  {title}"
    )


def _list(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    sessions = store.list_sessions(limit=None if args.all else args.limit)
    if args.json:
        rows = [{"id": s.id, "started_at": s.started_at, "ended_at": s.ended_at,
                 "title": s.title, "model": s.model, "backend": s.backend, "turns": s.turns}
                for s in sessions]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
    for summary in [] if args.json else sessions:
        print(list_line(summary), file=out)
    if not sessions and not args.json:
        print("No conversations kept yet.", file=sys.stderr)
    return ExitCode.OK


def _session(store: HistoryStore, session_id: int) -> StoredSession | None:
    session = store.get_session(session_id)
    if session is None:
        print(
            f"liveview history: no session {session_id}; `liveview history list` shows them.",
            file=sys.stderr,
        )
    return session


def _show(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    session = _session(store, args.id)
    if session is None:
        return ExitCode.USAGE
    print(session_text(session, "json" if args.json else "md"), file=out)
    return ExitCode.OK


def _search(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    text = " ".join(args.text)
    marks = (BOLD, PLAIN) if out.isatty() else ("[", "]")
    hits = store.search(text, limit=args.limit, marks=marks)
    if args.json:
        rows = [{"id": h.session_id, "turn_id": h.turn_id, "started_at": h.started_at,
                 "title": h.title, "role": h.role.value, "snippet": h.snippet,
                 "score": h.score, "hits": h.hits_in_session} for h in hits]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
        return ExitCode.OK
    for hit in hits:
        more = f" (+{hit.hits_in_session - 1} more)" if hit.hits_in_session > 1 else ""
        print(f"{hit.session_id:>5}  {_when(hit.started_at)}  {hit.title}{more}", file=out)
        print(f"       {hit.role.value}: {' '.join(hit.snippet.split())}", file=out)
    if not hits:
        print(f"No kept conversation has {text!r}.", file=sys.stderr)
    return ExitCode.OK


def _export(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    session = _session(store, args.id)
    if session is None:
        return ExitCode.USAGE
    fmt = args.format or ("json" if args.output and args.output.suffix == ".json" else "md")
    text = session_text(session, fmt)
    if args.output is None:
        print(text, file=out)
        return ExitCode.OK
    try:
        write_atomically(args.output, text + "\n")
    except ExportFailed as exc:
        print(f"liveview history: {exc.user_message}", file=sys.stderr)
        return ExitCode.FAILED
    print(f"Wrote {args.output}", file=sys.stderr)
    return ExitCode.OK


def _delete(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    if args.all:
        count = store.delete_all()
        print(f"Deleted {count} conversation{'s' if count != 1 else ''}.", file=out)
        return ExitCode.OK
    if not store.delete_session(args.id):
        print(f"liveview history: no session {args.id}; nothing was deleted.", file=sys.stderr)
        return ExitCode.USAGE
    print(f"Deleted conversation {args.id}.", file=out)
    return ExitCode.OK


Command = Callable[[HistoryStore, argparse.Namespace, TextIO], int]
_COMMANDS: dict[str, Command] = {
    "list": _list, "show": _show, "search": _search, "export": _export, "delete": _delete,
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liveview history",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="the kept conversations, newest first")
    p.add_argument(
        "--limit", type=int, default=LIST_LIMIT, help=f"at most N (default {LIST_LIMIT})"
    )
    p.add_argument("--all", action="store_true", help="every one")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("show", help="one conversation")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="as the JSON export")
    p = sub.add_parser("search", help="full-text search, best first")
    p.add_argument("text", nargs="+")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("export", help="write one conversation as Markdown or JSON")
    p.add_argument("id", type=int)
    p.add_argument("--format", choices=EXPORT_FORMATS, help="md (default) or json")
    p.add_argument("-o", "--output", type=Path, help="the file (default: standard output)")
    p = sub.add_parser("delete", help="delete one conversation, or --all")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=int, nargs="?")
    which.add_argument("--all", action="store_true")
    return parser


def main(argv: Sequence[str], out: TextIO | None = None) -> int:
    args = build_parser().parse_args(list(argv))
    out = out or sys.stdout
    path = default_path()
    if not path.exists():  # reading never creates it
        if args.command in ("show", "export") or (args.command == "delete" and not args.all):
            print(f"liveview history: no session {args.id} (nothing kept yet).", file=sys.stderr)
            return ExitCode.USAGE
        print(f"No conversations kept yet ({path}).", file=sys.stderr)
        return ExitCode.OK
    try:
        with HistoryStore.open(path) as store:
            return _COMMANDS[args.command](store, args, out)
    except HistoryError as exc:
        print(f"liveview history: {exc.user_message}", file=sys.stderr)
        return ExitCode.CONFIG


# -- for the session commands (window, headless): the history options, in one place -----------


def add_history_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("history")
    g.add_argument("--no-history", action="store_true", help="keep nothing of this run")
    g.add_argument(
        "--history-retention",
        metavar="DAYS",
        help=f"how long conversations are kept: {', '.join(r.value for r in Retention)}",
    )
    g.add_argument("--continue", dest="continue_id", type=int, metavar="ID",
                   help="start where conversation ID (liveview history list) left off")  # fmt: skip
    g.add_argument("--profile", metavar="NAME", help="a profile (system instruction, voice, ...)")


def history_policy_from_args(args: argparse.Namespace) -> HistoryPolicy:
    """ConfigError for a retention that is not one of the choices."""
    retention = getattr(args, "history_retention", None)
    return HistoryPolicy(
        enabled=not getattr(args, "no_history", False),
        retention=parse_retention(retention) if retention else Retention.FOREVER,
    )
