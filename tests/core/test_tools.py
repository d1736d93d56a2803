"""liveview's functions for the model (issue 8), against the local server over real sockets:
the real controller, video pipeline and capture thread, a deterministic still source (or the
Xvfb screen showing a known picture), and the server's record of what it was sent."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from google.genai import types

from liveview.capture.base import FrameSource
from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.controller import SessionController
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.settings import (
    Backend,
    SessionSettings,
    changes_needing_new_session,
)
from liveview.core.tool_declarations import FUNCTION_NAMES, LIVEVIEW_FUNCTIONS, parse_tools
from liveview.core.tools import (
    SourceSwitched,
    ToolBox,
    VideoPausedByModel,
    plan_crop,
)
from liveview.core.video_host import VideoHost
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.encode import decode_jpeg
from liveview.errors import ConfigError
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server import LocalLiveServer
from liveview.server.records import ConnectionInfo
from liveview.server.settings import AUDIO_PACING_ENV
from liveview.server.tools import ToolExchange
from liveview.transport.wire import Direction
from tests.capture.patterns import make_pattern, needs_display, psnr
from tests.support.oracle import validate_client_message
from tests.support.still import StillSource
from tests.support.waiting import eventually

GUARD_S = 30.0  # a hang guard, not a speed target
SOURCE_W, SOURCE_H = 1920, 1080  # regular frames: 960x540 (the default 1024 px cap, 1/2)


def detailed_pattern(width: int = SOURCE_W, height: int = SOURCE_H) -> np.ndarray:
    """Colour blocks plus fine print: small text that a 1/2 downscale smears."""
    image = make_pattern(width, height, seed=5)
    for row in range(40, height - 20, 24):
        cv2.putText(
            image, "fine print 0123456789 " * 6, (8, row), cv2.FONT_HERSHEY_PLAIN, 0.8,
            (0, 0, 0), 1, cv2.LINE_8,
        )  # fmt: skip
    return image


class Recorder:
    def __init__(self) -> None:
        self.events: list[object] = []
        self.changed = asyncio.Event()

    def __call__(self, event: object) -> None:
        self.events.append(event)
        self.changed.set()

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def until(self, kind: type, count: int = 1) -> list[Any]:
        async with asyncio.timeout(GUARD_S):
            while len(self.of(kind)) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.of(kind)


@dataclass
class Live:
    server: LocalLiveServer
    controller: SessionController
    pipeline: VideoPipeline
    slot: VideoHost
    toolbox: ToolBox
    events: Recorder

    @property
    def connection(self) -> ConnectionInfo:
        return self.server.connections[-1]

    async def turn(self, text: str) -> None:
        """Type `text` and wait for the reply to complete. A call of liveview's functions
        made in it is waited for too: a non-blocking call's turn ends before its answer, which
        the model then speaks in a turn of its own (unless its scheduling is SILENT)."""
        done = len(self.events.of(ev.TurnComplete))
        calls = len(self.connection.tool_exchanges)
        self.controller.send_text(text)
        await self.events.until(ev.TurnComplete, done + 1)
        if len(self.connection.tool_exchanges) == calls:
            return
        exchange = self.exchange()
        async with asyncio.timeout(GUARD_S):
            while exchange.response is None:
                await asyncio.sleep(0.01)
        if not exchange.blocking and exchange.scheduling != "SILENT":
            await self.events.until(ev.TurnComplete, done + 2)

    def exchange(self) -> ToolExchange:
        return self.connection.tool_exchanges[-1]

    def frame_with_tool_response(self) -> bytes:
        """The JPEG sent with the last toolResponse: liveview sends a snapshot or zoom crop
        just before the response it answers."""
        received = self.connection.received
        last = max(i for i, m in enumerate(received) if "toolResponse" in m)
        before = [m for m in received[:last] if "video" in m.get("realtimeInput", {})]
        return base64.b64decode(before[-1]["realtimeInput"]["video"]["data"])

    def sent_messages(self, kind: str) -> list[core.WireMessage]:
        return [
            e
            for e in self.events.of(core.WireMessage)
            if e.direction is Direction.OUT and e.kind == kind
        ]


@contextlib.asynccontextmanager
async def live(
    source: FrameSource, *, fps: float = 1.0, allow_switch: bool = True
) -> AsyncIterator[Live]:
    """A session as liveview runs one (core/runtime.py) on the local server, showing `source`."""
    # A crop follows its answer at once; an error answer is followed by no frame, so the
    # server need not wait its default 5 s for one before it replies. Replies that describe
    # an answer are long (~45 s of speech) and only their events are read: 10x real time.
    async with LocalLiveServer(use_espeak=False, tool_frame_wait_s=1.0, audio_pacing=0.1) as server:
        settings = SessionSettings(
            backend=Backend.LOCAL, url=server.url, model=LOCAL_MODEL, audio_replies=False,
            functions=True, video_enabled=True, allow_source_switch=allow_switch,
        )  # fmt: skip
        bus, video, keeper = EventBus(), VideoHost(), LocalServerKeeper()
        recorder = Recorder()
        bus.subscribe(recorder)
        video.subscribe(bus.emit)
        await video.use(source, "test", VideoSettings(fps=fps))
        runtime = SessionRuntime(
            SessionPlan(settings, video=VideoSettings(fps=fps)),
            bus=bus,
            video=video,
            local_server=keeper,
        )
        session = asyncio.create_task(runtime.run(), name="session")
        try:
            await eventually(lambda: runtime.live, GUARD_S, "the session to be live")
            assert runtime.controller is not None and runtime.toolbox is not None
            assert video.pipeline is not None
            yield Live(server, runtime.controller, video.pipeline, video, runtime.toolbox, recorder)
        finally:
            runtime.stop()
            await asyncio.gather(session, return_exceptions=True)
            await video.aclose()


async def first_frame_sent(session: Live) -> None:
    async with asyncio.timeout(GUARD_S):
        while session.pipeline.last_sent is None:
            await asyncio.sleep(0.02)


# --- declarations and settings ---------------------------------------------------------------


def test_every_declaration_and_the_service_tools_validate_against_the_sdk() -> None:
    # A model the catalogue does not know: every tool is sent as asked (the service decides).
    settings = SessionSettings(
        model="gemini-9-live", functions=True, google_search=True, code_execution=True
    )
    setup = msg.build_setup(settings.setup_config())
    parsed = validate_client_message(setup)
    assert parsed.setup is not None and parsed.setup.tools is not None
    declared = parsed.setup.tools[0].function_declarations or []
    assert [d.name for d in declared] == list(FUNCTION_NAMES)
    zoom = next(d for d in declared if d.name == "zoom_to_region")
    assert zoom.parameters is not None and zoom.parameters.type == types.Type.OBJECT
    assert zoom.parameters.required == ["x", "y", "width", "height"]
    assert {t.google_search is not None for t in parsed.setup.tools[1:]} == {True, False}
    assert all(len(d.description or "") > 40 for d in declared), "the model needs to know when"


def test_a_tool_change_needs_a_new_session_but_the_switch_permission_does_not() -> None:
    old = SessionSettings()
    assert changes_needing_new_session(old, replace(old, google_search=True)) == ("google_search",)
    assert changes_needing_new_session(old, replace(old, functions=True)) == ("functions",)
    assert changes_needing_new_session(old, replace(old, allow_source_switch=False)) == ()


def test_tools_option() -> None:
    assert parse_tools("search,code,functions") == parse_tools(" functions , code,search ")
    chosen = parse_tools("functions")
    assert chosen.functions and not chosen.google_search and not chosen.code_execution
    assert parse_tools("none") == parse_tools(None)
    with pytest.raises(ConfigError, match="'zoom' is not a tool"):
        parse_tools("functions,zoom")


def test_regions_map_onto_the_source_and_bad_ones_say_why() -> None:
    plan = plan_crop((10, 20, 300, 200), (960, 540), (1920, 1080))
    assert not isinstance(plan, str)
    assert plan.source_box == (20, 40, 600, 400) and not plan.clamped
    edge = plan_crop((900, 500, 300, 200), (960, 540), (1920, 1080))
    assert not isinstance(edge, str) and edge.clamped and edge.frame_box == (900, 500, 60, 40)
    outside = plan_crop((2000, 10, 50, 50), (960, 540), (1920, 1080))
    assert isinstance(outside, str) and "960x540" in outside
    assert isinstance(plan_crop((0, 0, 0, 10), (960, 540), (1920, 1080)), str)


# --- against the local server ----------------------------------------------------------------


async def test_zoom_sends_that_region_of_the_source_at_full_detail() -> None:
    image = detailed_pattern()
    async with live(StillSource(image)) as session:
        await first_frame_sent(session)
        regular = decode_jpeg(session.pipeline.last_sent.data)  # type: ignore[union-attr]
        assert regular.shape[:2] == (540, 960)
        await session.turn("zoom 10 20 300 200")
        exchange = session.exchange()
        assert exchange.name == "zoom_to_region" and not exchange.problems
        assert exchange.next_frame_size == (600, 400)
        assert exchange.response is not None and "x=10, y=20" in exchange.response["output"]
        crop = decode_jpeg(session.frame_with_tool_response())
        truth = image[40:440, 20:620]
        # Fine print at JPEG q90 stays near 28 dB; one pixel off it falls to ~14 dB.
        assert psnr(crop, truth) > 25
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            shifted = image[40 + dy : 440 + dy, 20 + dx : 620 + dx]
            assert psnr(crop, truth) > psnr(crop, shifted) + 8
        # Higher detail than the regular frames: the same region from them, scaled up, is worse.
        from_regular = cv2.resize(
            regular[20:220, 10:310], (600, 400), interpolation=cv2.INTER_CUBIC
        )
        assert psnr(crop, truth) > psnr(from_regular, truth) + 5
        (answered,) = session.events.of(core.ToolAnswered)
        assert answered.call_id == exchange.call_id
        answer = msg.FunctionResponse(answered.call_id, answered.name, answered.result)
        validate_client_message(msg.ToolResponse((answer,)).to_wire())


async def test_a_region_outside_the_frame_gets_an_error_answer_and_the_session_goes_on() -> None:
    async with live(StillSource(detailed_pattern())) as session:
        await first_frame_sent(session)
        sent_before = session.pipeline.counters.sent
        await session.turn("zoom 5000 20 300 200")
        response = session.exchange().response
        assert response is not None and "outside the video frame" in response["error"]
        assert "960x540" in response["error"]
        await session.turn("zoom 10 10 -5 100")
        assert "positive" in session.exchange().response["error"]  # type: ignore[index]
        assert session.pipeline.counters.sent - sent_before <= 2  # no crop was sent, only regular
        assert session.controller.state is core.ConnectionState.LIVE
        await session.turn("zoom 0 0 100 100")
        assert session.exchange().next_frame_size == (200, 200)


async def test_a_snapshot_arrives_within_one_frame_interval() -> None:
    fps = 0.2  # a regular frame only every 5 s
    async with live(StillSource(detailed_pattern()), fps=fps) as session:
        await first_frame_sent(session)
        loop = asyncio.get_running_loop()
        asked_at = loop.time()
        session.controller.send_text("snapshot")
        (call_event,) = await session.events.until(ev.ToolCall)
        async with asyncio.timeout(GUARD_S):
            while session.pipeline.counters.sent < 2:
                await asyncio.sleep(0.01)
        sent_after_s = loop.time() - asked_at
        await session.events.until(ev.TurnComplete)
        assert sent_after_s < 1 / fps
        exchange = session.exchange()
        assert exchange.next_frame_size == (SOURCE_W, SOURCE_H)  # native, under the 2048 cap
        assert exchange.response is not None and exchange.response["frame_width"] == 960
        assert call_event.calls[0].id == exchange.call_id


async def test_a_cancelled_call_is_neither_answered_nor_acted_on() -> None:
    gate = threading.Event()  # the source has not given a picture yet: the zoom waits for one
    async with live(StillSource(detailed_pattern(), gate)) as session:
        session.controller.send_text("zoom 0 0 10 10")
        await session.events.until(ev.ToolCall)
        await session.turn("never mind")  # the server cancels the pending call (barge-in)
        (cancelled,) = session.events.of(ev.ToolCallCancellation)
        assert cancelled.ids == (session.exchange().call_id,)
        gate.set()
        await first_frame_sent(session)
        await session.turn("what do you see?")  # one more round trip: any answer would be out
        assert session.sent_messages("toolResponse") == []
        assert session.events.of(core.ToolAnswered) == []
        assert session.exchange().cancelled and session.exchange().response is None
        assert all(
            decode_jpeg(base64.b64decode(m["realtimeInput"]["video"]["data"])).shape[:2]
            == (540, 960)
            for m in session.connection.received
            if "video" in m.get("realtimeInput", {})
        ), "the cancelled zoom sent no crop"


async def test_switching_is_refused_when_the_user_forbids_it_and_shown_when_allowed() -> None:
    async with live(StillSource(detailed_pattern()), allow_switch=False) as session:
        await session.turn("switch to screen:1")
        response = session.exchange().response
        assert response is not None and "not allowed" in response["error"]
        assert session.slot.spec == "test" and session.events.of(SourceSwitched) == []
        session.toolbox.allow_source_switch = True  # a live setting: no new session
        await session.turn("switch to nowhere:9")
        assert "no source named" in session.exchange().response["error"]  # type: ignore[index]


async def test_list_sources_and_pause_resume_through_the_server() -> None:
    async with live(StillSource(detailed_pattern())) as session:
        await first_frame_sent(session)
        await session.turn("list sources")
        listed = session.exchange().response
        assert listed is not None and listed["current"] == "test"
        assert {"name": "test", "description": "a test pattern", "current": True} in listed[
            "sources"
        ]
        await session.turn("pause video")
        assert session.pipeline.paused
        await session.turn("resume video")
        assert not session.pipeline.paused
        assert [e.paused for e in session.events.of(VideoPausedByModel)] == [True, False]
        # The user's own pause is theirs: the model can neither resume it nor take pictures.
        session.pipeline.pause()
        session.toolbox.on_user_pause(True)
        await session.turn("resume video")
        assert "only the user" in session.exchange().response["error"]  # type: ignore[index]
        await session.turn("snapshot")
        assert "only the user" in session.exchange().response["error"]  # type: ignore[index]
        assert session.pipeline.paused


async def test_every_declared_function_is_handled_and_others_are_declined() -> None:
    toolbox = ToolBox(VideoHost())
    for decl in LIVEVIEW_FUNCTIONS:
        if decl.name in ("list_sources", "switch_source"):
            continue  # they probe devices; covered against the server
        args = {"name": "x", "x": 0, "y": 0, "width": 9, "height": 9}
        answer = await toolbox(ev.FunctionCall("id-1", decl.name, args))
        assert "No video source is on" in answer["error"], decl.name
    answer = await toolbox(ev.FunctionCall("id-2", "format_disk", {}))
    assert "no function named 'format_disk'" in answer["error"]


# --- the real screen (Xvfb) -------------------------------------------------------------------

# Even numbers: the whole 1920x1080 monitor is sent at exactly 1/2 (960x540).
WIN_X, WIN_Y, WIN_W, WIN_H = 400, 300, 640, 360


@pytest.fixture
def pattern_on_screen(qtbot):  # type: ignore[no-untyped-def]
    from tests.capture.qt_window import pattern_on_screen as show

    image = detailed_pattern(WIN_W, WIN_H)
    with show(qtbot, image, WIN_X, WIN_Y):
        yield image


@pytest.mark.x11
@needs_display
async def test_the_model_switches_to_the_screen_and_zooms_into_a_window(
    pattern_on_screen: np.ndarray,
) -> None:
    async with live(StillSource(detailed_pattern())) as session:
        await session.turn("switch to screen:1")
        (switched,) = session.events.of(SourceSwitched)
        assert (switched.previous, switched.current) == ("test", "screen:1")
        assert switched.call_id == session.exchange().call_id
        assert session.slot.spec == "screen:1" and session.slot.pipeline is not session.pipeline
        session.pipeline = session.slot.pipeline  # type: ignore[assignment]
        await first_frame_sent(session)
        # The window in 960x540 frame coordinates is (200, 150) 320x180.
        await session.turn(f"zoom {WIN_X // 2} {WIN_Y // 2} {WIN_W // 2} {WIN_H // 2}")
        assert session.exchange().next_frame_size == (WIN_W, WIN_H)
        crop = decode_jpeg(session.frame_with_tool_response())
        assert psnr(crop, pattern_on_screen) > 25


@pytest.mark.x11
@needs_display
def test_headless_records_the_call_and_its_answer(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    args = ["--tools", "functions", "--text", "zoom 10 20 300 200", "--source", "screen:1"]
    args += ["--no-audio", "--events", str(events)]
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env[AUDIO_PACING_ENV] = "0.1"  # the embedded server's ~45 s spoken reply in ~5 s
    result = subprocess.run(
        [sys.executable, "-m", "liveview", "headless", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    sent_kinds = [r["kind"] for r in rows if r["type"] == "WireMessage" and r["direction"] == "out"]
    assert "toolResponse" in sent_kinds and "realtimeInput.video" in sent_kinds
    (call_row,) = [r for r in rows if r["type"] == "ToolCall"]
    (call,) = call_row["calls"]
    assert call["name"] == "zoom_to_region"
    assert call["args"] == {"x": 10, "y": 20, "width": 300, "height": 200}
    (answer,) = [r for r in rows if r["type"] == "ToolAnswered"]
    assert answer["call_id"] == call["id"]
    assert (answer["result"]["width"], answer["result"]["height"]) == (600, 400)
    assert "The frame sent with the response was 600 by 400 pixels" in result.stdout
    assert "the model called zoom_to_region" in result.stderr
