"""`liveview serve`: run the local Live server until SIGINT/SIGTERM.

The first line on stdout is the `ws://` URL, printed (and flushed) once connections are accepted,
so a parent process can read one line and connect.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence

from liveview.errors import ConfigError, ExitCode
from liveview.server.app import LocalLiveServer
from liveview.server.faults import FaultSwitches, parse_fault_spec
from liveview.server.settings import ServerSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    parser.add_argument("--record", metavar="FILE", help="append every client message as a line")
    parser.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="require the key held in environment variable NAME (keys never go on a command line)",
    )
    parser.add_argument(
        "--retired-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="answer setups for MODEL with the service's 1008 'not found' (repeatable)",
    )
    parser.add_argument(
        "--lifetime",
        type=float,
        default=ServerSettings.lifetime_s,
        metavar="S",
        help="connection lifetime, like the service's ~10 min (default %(default)s; 0: none)",
    )
    parser.add_argument(
        "--go-away-lead",
        type=float,
        default=ServerSettings.go_away_lead_s,
        metavar="S",
        help="goAway this long before the cut (default %(default)s, like the service)",
    )
    parser.add_argument(
        "--no-session-limits",
        action="store_true",
        help="do not end sessions without context compression (15 min audio, 2 min video)",
    )
    parser.add_argument(
        "--relaxed",
        action="store_true",
        help="accept any model name and any modality (for old clients and some tests; the "
        "default holds every model of the catalogue to today's rules)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="KIND[:CODE][@POINT][*COUNT]; KIND drop|close|stall|malformed|unknown-fields|"
        "reject (an HTTP status at the upgrade, default 429), POINT accept|setup|turn, "
        "COUNT a number or 'all' (repeatable)",
    )
    parser.add_argument(
        "--read-throttle", type=float, metavar="BYTES_PER_S", help="read client messages slowly"
    )
    parser.add_argument(
        "--no-espeak", action="store_true", help="speak with the synthetic tone, not espeak-ng"
    )


def build_server(args: argparse.Namespace) -> LocalLiveServer:
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            raise ConfigError(f"environment variable {args.api_key_env} is not set")
    faults = FaultSwitches(
        [parse_fault_spec(spec) for spec in args.fault], read_bytes_per_s=args.read_throttle
    )
    defaults = ServerSettings()
    settings = ServerSettings(
        api_key=api_key,
        strict=not args.relaxed,
        retired_models=frozenset(args.retired_model),
        lifetime_s=args.lifetime or None,
        go_away_lead_s=args.go_away_lead,
        audio_session_limit_s=None if args.no_session_limits else defaults.audio_session_limit_s,
        video_session_limit_s=None if args.no_session_limits else defaults.video_session_limit_s,
        use_espeak=not args.no_espeak,
    )
    return LocalLiveServer(settings=settings, record_path=args.record, faults=faults)


async def serve_until_signalled(server: LocalLiveServer, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: Ctrl+C only
            loop.add_signal_handler(sig, stop.set)
    url = await server.start(host, port)
    print(url, flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


def run(args: argparse.Namespace) -> int:
    try:
        server = build_server(args)
        asyncio.run(serve_until_signalled(server, args.host, args.port))
    except ConfigError as exc:
        print(f"liveview serve: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    except OSError as exc:
        print(f"liveview serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    except KeyboardInterrupt:
        pass
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="liveview serve", description="Run the local Live API server."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
