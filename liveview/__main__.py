"""`liveview`: the window; `liveview headless|serve|bench|doctor|history ...`: the other ways in."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from liveview.cli.options import add_session_options
from liveview.errors import ExitCode

COMMANDS = ("headless", "serve", "bench", "doctor", "history")


def _headless(argv: Sequence[str]) -> int:
    from liveview.cli import headless

    parser = argparse.ArgumentParser(
        prog="liveview headless",
        description=headless.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    headless.add_arguments(parser)
    return headless.main(parser.parse_args(argv))


def _serve(argv: Sequence[str]) -> int:
    from liveview.server import cli as server_cli

    parser = argparse.ArgumentParser(
        prog="liveview serve", description="Run the local Live server."
    )
    server_cli.add_arguments(parser)
    return int(server_cli.run(parser.parse_args(list(argv))))


def _bench(argv: Sequence[str]) -> int:
    from liveview.bench.cli import main as bench_main

    return bench_main(list(argv))


def _doctor(argv: Sequence[str]) -> int:
    from liveview.cli.doctor import main as doctor_main

    return doctor_main(list(argv))


class _VersionAction(argparse.Action):
    """`--version`: the version and the build's commit, looked up only when asked (a checkout
    runs git for it; a frozen bundle reads the file its build wrote)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        what = "print the version and the commit it was built from, and exit"
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=what)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from liveview.buildinfo import version_line

        print(version_line())
        parser.exit()


def _history(argv: Sequence[str]) -> int:
    from liveview.cli.history import main as history_main

    return history_main(list(argv))


def _window(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="liveview",
        description="Live screen and camera analysis with the Gemini Live API. "
        f"Other commands: {', '.join(COMMANDS)} (liveview COMMAND --help).",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the installation end to end offscreen and exit",
    )
    add_session_options(parser)
    args = parser.parse_args(argv)
    if args.self_test:
        from liveview.selftest import main as self_test_main

        return self_test_main(args)
    from liveview.ui.app import run_app

    return run_app(args)


_DISPATCH: dict[str, Callable[[Sequence[str]], int]] = {
    "headless": _headless,
    "serve": _serve,
    "bench": _bench,
    "doctor": _doctor,
    "history": _history,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Qt Multimedia probes for PipeWire before falling back to PulseAudio and says so on stderr.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The frozen app has no console: everything also goes to a rotating log file, and an
    # unexpected exception is written there whole (and shown in a dialog by the window).
    from liveview import logsetup

    logsetup.install("liveview")
    try:
        if argv and argv[0] in _DISPATCH:
            return _DISPATCH[argv[0]](argv[1:])
        return _window(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage error is 2
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE


if __name__ == "__main__":
    sys.exit(main())
