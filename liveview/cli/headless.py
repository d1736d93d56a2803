"""`liveview headless`: the same session core with no window.

Model text streams to stdout as it arrives; notices and errors go to stderr; `--events FILE`
writes one JSON line per event. Exit codes: 0 done, 2 usage, 3 configuration/auth, 4 connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from typing import TextIO

from liveview.cli.event_log import EventLog
from liveview.cli.options import (
    add_session_options,
    audio_plan_from_args,
    settings_from_args,
    video_settings_from_args,
)
from liveview.cli.push_to_talk import push_to_talk_from_stdin
from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.backoff import Backoff
from liveview.core.bus import EventBus
from liveview.core.policy import ReconnectPolicy
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.secrets import configured_api_key
from liveview.core.tools import SourceSwitched
from liveview.core.video_host import VideoChanged, VideoHost
from liveview.errors import ConfigError, ExitCode, exit_code_for
from liveview.protocol import events as ev
from liveview.protocol import messages as msg

log = logging.getLogger(__name__)

# Headless runs are scripted: once connected, a drop is retried a few times, not for minutes.
HEADLESS_RECONNECT_ATTEMPTS = 4
# With a video source, the first --text turn waits this long at most for the first frame sent.
FIRST_FRAME_WAIT_S = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_session_options(parser)
    h = parser.add_argument_group("headless")
    h.add_argument(
        "--text",
        action="append",
        default=[],
        metavar="T",
        help="a typed turn (repeatable: sent one after another)",
    )
    h.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="stay connected this many seconds (default: until the turns are answered)",
    )
    h.add_argument("--events", metavar="FILE", help="write every event as a JSON line to FILE")
    h.add_argument(
        "--connect-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="give up on a connection or its setup after S seconds (default 15)",
    )
    h.add_argument(
        "--list-sources",
        action="store_true",
        help="print the monitors, windows and cameras that can be shown, and exit",
    )


class _Printer:
    """Streams model text to stdout, says everything else once on stderr."""

    def __init__(self, out: TextIO, err: TextIO, key_source: str = "") -> None:
        self.out, self.err = out, err
        self._key_source = key_source
        self._mid_line = False

    def __call__(self, event: object) -> None:
        if isinstance(event, core.SessionOpening):
            where = f" (key from {self._key_source})" if self._key_source else ""
            self.err.write(f"liveview: backend: {event.description}{where}\n")
        elif isinstance(event, VideoChanged) and event.error:
            self.err.write(f"liveview: Video stopped: {event.error}\n")
        elif isinstance(event, (ev.OutputTranscription, ev.ModelText)):
            if isinstance(event, ev.ModelText) and event.thought:
                return
            self.out.write(event.text)
            self.out.flush()
            self._mid_line = not event.text.endswith("\n")
        elif isinstance(event, ev.TurnComplete) and self._mid_line:
            self.out.write("\n")
            self.out.flush()
            self._mid_line = False
        elif isinstance(event, core.ReplyCutOff | ev.Interrupted) and self._mid_line:
            self.out.write(" [interrupted]\n")
            self._mid_line = False
        elif isinstance(event, core.Notice):
            self.err.write(f"liveview: {event.message}\n")
        elif isinstance(event, core.Reconnected):
            self.err.write(f"liveview: reconnected ({event.reason}).\n")
        elif (
            isinstance(event, core.StateChanged)
            and event.state is core.ConnectionState.RECONNECTING
        ):
            self.err.write(f"liveview: reconnecting: {event.detail}\n")
        elif isinstance(event, core.ProtocolProblem):
            self.err.write(f"liveview: skipped a bad server message: {event.message}\n")
        elif isinstance(event, ev.ToolCall):
            for call in event.calls:
                self.err.write(f"liveview: the model called {call.name}({call.args})\n")
        elif isinstance(event, SourceSwitched):
            self.err.write(f"liveview: the model switched the video to {event.current}.\n")


class _TurnScript:
    """Sends the --text turns one after another, each once the previous reply completed.

    With a video source the first turn waits for the first frame on the wire (at most
    FIRST_FRAME_WAIT_S): "what do you see?" asked before any frame was sent gets "no video yet"."""

    def __init__(self, runtime: SessionRuntime, texts: list[str], *, wait_for_frame: bool) -> None:
        self.runtime = runtime
        self.pending = list(texts)
        self.awaiting_reply = False
        self.turn_ended = False  # a turnComplete came for the turn awaited
        self.in_progress = False  # interactionStatus IN_PROGRESS (extended thinking)
        self.live = False
        self.frame_sent = not wait_for_frame
        self.done = asyncio.Event()
        if not self.pending:
            self.done.set()
        elif wait_for_frame:
            asyncio.get_running_loop().call_later(FIRST_FRAME_WAIT_S, self._stop_waiting_for_frame)

    def __call__(self, event: object) -> None:
        if isinstance(event, core.StateChanged):
            self.live = event.state is core.ConnectionState.LIVE
            if self.live and not self.awaiting_reply:
                self._next()
        elif isinstance(event, ev.InteractionStatus):
            # Extended thinking: one request may take several turns; IDLE says it is done.
            self.in_progress = not event.idle
            if event.idle and self.awaiting_reply and self.turn_ended:
                self._reply_done()
        elif isinstance(event, ev.TurnComplete) and self.awaiting_reply:
            self.turn_ended = True
            if not self.in_progress:
                self._reply_done()
        elif (
            isinstance(event, core.WireMessage)
            and event.kind == msg.VideoFrame.kind
            and not self.frame_sent
        ):
            self._stop_waiting_for_frame()

    def _reply_done(self) -> None:
        self.awaiting_reply = False
        self._next()

    def _stop_waiting_for_frame(self) -> None:
        if not self.frame_sent:
            self.frame_sent = True
            if self.live and not self.awaiting_reply:
                self._next()

    def _next(self) -> None:
        if not self.frame_sent:
            return
        if not self.pending:
            self.done.set()
            return
        controller = self.runtime.controller
        if controller is None:
            return
        self.awaiting_reply = True
        self.turn_ended = False
        controller.send_text(self.pending.pop(0))


async def run_session(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # The keychain may answer over D-Bus, and opening a source probes the display or camera:
    # worker threads, as everywhere else, even though nothing else runs on the loop yet.
    key, key_source = await asyncio.to_thread(configured_api_key)
    settings = settings_from_args(args, api_key=key)
    settings.setup_config()  # a setting the model does not take: said now, exit 2
    plan = SessionPlan(
        settings,
        audio=audio_plan_from_args(args, headless=True),
        video=video_settings_from_args(args),
        open_timeout_s=args.connect_timeout,
        setup_timeout_s=args.connect_timeout,
    )
    bus, video, keeper = EventBus(), VideoHost(), LocalServerKeeper()
    # Scripted runs: one clear failure when the first connection cannot be made; once
    # connected, a drop is retried a few times, not for minutes.
    policy = ReconnectPolicy(
        Backoff(max_attempts=HEADLESS_RECONNECT_ATTEMPTS), retry_first_connect=False
    )
    runtime = SessionRuntime(plan, bus=bus, video=video, local_server=keeper, policy=policy)
    video.subscribe(bus.emit)
    failures: list[core.SessionFailed] = []
    bus.subscribe(_Printer(out, err, key_source if settings.api_key else ""))
    bus.on(core.SessionFailed, failures.append)
    try:
        with contextlib.ExitStack() as stack:
            if args.events:
                bus.subscribe(stack.enter_context(EventLog.open(args.events)).write)
            await video.select(args.source, args.region, plan.video)
            script = _TurnScript(runtime, list(args.text), wait_for_frame=video.running)
            bus.subscribe(script)
            await _hold(runtime, script, args)
    finally:
        await video.aclose()
        await keeper.aclose()
    if failures:
        failure = failures[-1]
        err.write(f"liveview: {failure.error.user_message}\n")
        return exit_code_for(failure.error)
    return ExitCode.OK


async def _until_done(
    script: _TurnScript, runtime: SessionRuntime, args: argparse.Namespace
) -> None:
    """--duration, else until every --text turn was answered and its reply has sounded."""
    if args.duration is not None:
        await asyncio.sleep(args.duration)
    else:
        await script.done.wait()
        await runtime.audio.wait_played()


async def _hold(runtime: SessionRuntime, script: _TurnScript, args: argparse.Namespace) -> None:
    async with asyncio.TaskGroup() as tg:
        session = tg.create_task(runtime.run(), name="session")
        waiter = tg.create_task(_until_done(script, runtime, args), name="until-done")
        keys = None
        if args.push_to_talk:
            keys = tg.create_task(push_to_talk_from_stdin(runtime), name="ptt-keys")
        await asyncio.wait({session, waiter}, return_when=asyncio.FIRST_COMPLETED)
        runtime.stop()
        for task in (waiter, keys):
            if task is not None:
                task.cancel()


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        if args.list_sources:
            from liveview.capture.spec import list_sources_text

            print(list_sources_text())
            return ExitCode.OK
        code = asyncio.run(run_session(args, sys.stdout, sys.stderr))
    except ConfigError as exc:  # UsageError (exit 2) names the model and the setting
        sys.stderr.write(f"liveview: {exc.user_message}\n")
        return exit_code_for(exc)
    except KeyboardInterrupt:
        code = ExitCode.OK
    log.info(
        "headless session ended after %.1f s with exit code %d", time.monotonic() - started, code
    )
    return code
