"""`liveview bench NAME [options] [--json]`: run one benchmark module and print its figures.

Each benchmark is a module `liveview.bench.NAME` with `add_arguments(parser)` and
`run(args) -> dict`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

BENCHMARKS = {
    "capture": "capture: grab, resize, JPEG cost; naive PNG path; static-screen sends; loop lag",
    "audio": "audio: barge-in latency, playback start, underruns, mic cadence (PulseAudio)",
    "session": "session: reconnect gap, memory over a long session, loop lag under load",
    "startup": "startup: process start to main window shown",
    "history": "history: search over 10,000 kept sessions; the cost of keeping a turn live",
    "legibility": "legibility: OCR accuracy of screens per max side/JPEG quality, token costs",
    "speech": "speech: offline speech-to-text (pocketsphinx) word error rate on espeak-ng speech",
}


def _print_human(result: dict[str, Any], indent: str = "") -> None:
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_human(value, indent + "  ")
        else:
            print(f"{indent}{key}: {value}")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="liveview bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True, metavar="NAME")
    for name, help_text in BENCHMARKS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        try:
            module = importlib.import_module(f"liveview.bench.{name}")
        except ImportError:
            continue
        module.add_arguments(p)
    args = parser.parse_args(list(argv))
    try:
        module = importlib.import_module(f"liveview.bench.{args.name}")
    except ImportError as exc:
        print(f"liveview bench: {args.name} is not available: {exc}", file=sys.stderr)
        return 2
    result = module.run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_human(result)
    return 0
