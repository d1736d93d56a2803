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
    EXIT_CONFIG,
    EXIT_CONNECTION,
    EXIT_OK,
    EXIT_USAGE,
    add_session_options,
    audio_plan_from_args,
    settings_from_args,
)
from liveview.cli.push_to_talk import push_to_talk_from_stdin
from liveview.core import events as core
from liveview.core.backend import embedded_local_server, resolve_endpoint
from liveview.core.controller import SessionController
from liveview.core.media import build_video_pipeline, video_settings_from_args
from liveview.core.secrets import configured_api_key
from liveview.core.session_audio import SessionAudio
from liveview.core.tools import SourceSwitched, ToolBox, VideoSlot
from liveview.errors import (
    ConfigError,
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    UsageError,
)
from liveview.protocol import events as ev

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

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._mid_line = False

    def __call__(self, event: object) -> None:
        if isinstance(event, (ev.OutputTranscription, ev.ModelText)):
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

    def __init__(
        self, controller: SessionController, texts: list[str], *, wait_for_frame: bool
    ) -> None:
        self.controller = controller
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
            and event.direction == "out"
            and event.kind.startswith("realtimeInput.video")
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
        self.awaiting_reply = True
        self.turn_ended = False
        self.controller.send_text(self.pending.pop(0))


def exit_code_for(error: LiveViewError) -> int:
    if isinstance(error, UsageError):
        return EXIT_USAGE
    if isinstance(error, (ConfigError, FatalServiceError)):
        return EXIT_CONFIG
    if isinstance(error, ConnectionFailedError):
        return EXIT_CONNECTION
    return EXIT_CONNECTION


async def run_session(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # The keychain may answer over D-Bus, and opening a source probes the display or camera:
    # worker threads, as everywhere else, even though nothing else runs on the loop yet.
    key, key_source = await asyncio.to_thread(configured_api_key)
    settings = settings_from_args(args, api_key=key)
    settings.setup_config()  # a setting the model does not take: said now, exit 2
    with embedded_local_server(settings) as local_url:
        resolved = resolve_endpoint(settings, local_url)
        where = f" (key from {key_source})" if key_source and settings.api_key else ""
        err.write(f"liveview: backend: {resolved.description}{where}\n")
        controller = SessionController(
            resolved.settings,
            resolved.endpoint,
            retry_first_connect=False,
            open_timeout_s=args.connect_timeout,
            setup_timeout_s=args.connect_timeout,
        )
        controller.backoff.max_attempts = HEADLESS_RECONNECT_ATTEMPTS
        video_settings = video_settings_from_args(args)
        pipeline = await asyncio.to_thread(
            build_video_pipeline, controller, args.source, args.region, video_settings
        )
        video = VideoSlot(controller, pipeline, args.source, args.region)
        if resolved.settings.functions:
            controller.tool_handler = ToolBox(
                video,
                notify=controller.notify,
                allow_source_switch=resolved.settings.allow_source_switch,
                video_settings=video_settings,
            )
        audio = SessionAudio()
        failures: list[core.SessionFailed] = []
        controller.subscribe(_Printer(out, err))
        script = _TurnScript(controller, list(args.text), wait_for_frame=pipeline is not None)
        controller.subscribe(script)
        controller.subscribe(
            lambda e: failures.append(e) if isinstance(e, core.SessionFailed) else None
        )
        with contextlib.ExitStack() as stack:
            if args.events:
                event_log = stack.enter_context(EventLog.open(args.events))
                controller.subscribe(event_log.write)
            await audio.attach(controller, audio_plan_from_args(args, headless=True))
            try:
                await _hold(controller, video, audio, script, args)
            finally:
                await audio.aclose(controller)
    if failures:
        failure = failures[-1]
        err.write(f"liveview: {failure.error.user_message}\n")
        return exit_code_for(failure.error)
    return EXIT_OK


async def _until_done(script: _TurnScript, audio: SessionAudio, duration_s: float | None) -> None:
    """--duration, else until every --text turn was answered and its reply has sounded."""
    if duration_s is not None:
        await asyncio.sleep(duration_s)
    else:
        await script.done.wait()
        await audio.wait_played()


async def _hold(
    controller: SessionController,
    video: VideoSlot,
    audio: SessionAudio,
    script: _TurnScript,
    args: argparse.Namespace,
) -> None:
    async with asyncio.TaskGroup() as tg:
        session = tg.create_task(controller.run(), name="session")
        media = tg.create_task(video.run(), name="video")
        waiter = tg.create_task(_until_done(script, audio, args.duration), name="until-done")
        keys = None
        if args.push_to_talk:
            keys = tg.create_task(push_to_talk_from_stdin(controller, audio), name="ptt-keys")
        await asyncio.wait({session, waiter}, return_when=asyncio.FIRST_COMPLETED)
        controller.stop()
        for task in (waiter, media, keys):
            if task is not None:
                task.cancel()


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        if args.list_sources:
            from liveview.capture.spec import list_sources_text

            print(list_sources_text())
            return EXIT_OK
        code = asyncio.run(run_session(args, sys.stdout, sys.stderr))
    except ConfigError as exc:  # UsageError (exit 2) names the model and the setting
        sys.stderr.write(f"liveview: {exc.user_message}\n")
        return exit_code_for(exc)
    except KeyboardInterrupt:
        code = EXIT_OK
    log.info(
        "headless session ended after %.1f s with exit code %d", time.monotonic() - started, code
    )
    return code
