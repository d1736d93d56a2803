"""Answers to the model's calls of liveview's functions (declared in core/tool_declarations).

`ToolBox` is the controller's tool handler: `SessionController(..., tool_handler=toolbox)`. The
controller's ToolRunner runs each call as its own task, cancels it on toolCallCancellation (a
cancelled call is neither answered nor acted on: frames are only sent after every await) and
sends the answer.
Crop, resize and JPEG encoding run in a worker thread, device probing too: a call never holds up
audio or the UI, and a slow one is simply answered when ready.

Coordinates: zoom_to_region takes a rectangle in the pixels of the *regular* video frames (the
downscaled stream the model sees most); snapshots and crops never change that geometry, and
every answer says what it is. The rectangle is mapped onto the source's full-resolution frame.

Privacy: when the user paused the video, the model can neither resume it nor take pictures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from liveview.capture.base import Frame
from liveview.capture.camera import list_cameras
from liveview.capture.screen import list_monitors
from liveview.capture.spec import parse_source_spec
from liveview.core import tool_declarations as names
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.encode import SNAPSHOT_SETTINGS, EncodedFrame, EncodeSettings, encode_jpeg
from liveview.encode.jpeg import plan_resize
from liveview.errors import CaptureError, LiveViewError
from liveview.protocol.events import FunctionCall

log = logging.getLogger(__name__)

# Snapshots and zoom crops: native detail up to this long side (a 4K crop is scaled to it).
TOOL_FRAME_SETTINGS: EncodeSettings = SNAPSHOT_SETTINGS
FIRST_FRAME_WAIT_S = 10.0  # a camera or stream may take this long to give its first picture
FRAME_POLL_S = 0.05

Result = dict[str, Any]
Notify = Callable[[object], None]


@dataclass(frozen=True)
class SourceSwitched:
    """The model switched the video source (switch_source). The UI shows it with an undo:
    `VideoHost.select(previous, previous_region, settings)` (previous None: video was off)."""

    previous: str | None
    previous_region: str | None
    current: str
    description: str
    call_id: str


@dataclass(frozen=True)
class VideoPausedByModel:
    """The model paused (paused=True) or resumed the video: the UI updates its pause control."""

    paused: bool
    call_id: str


@dataclass(frozen=True)
class SourceOption:
    name: str  # what switch_source takes, in --source syntax ("screen:1", "camera:0")
    description: str


class VideoControl(Protocol):
    """What the tools need of whatever holds the video (core/video_host.VideoHost): the running
    pipeline, its source spec, and a way to replace it."""

    pipeline: VideoPipeline | None
    spec: str | None
    region: str | None

    async def select(
        self, spec: str | None, region: str | None, settings: VideoSettings
    ) -> None: ...


@dataclass(frozen=True)
class CropPlan:
    """A zoom request mapped from frame coordinates onto the source's full-resolution frame."""

    frame_box: tuple[int, int, int, int]  # x, y, width, height in the regular frame (clamped)
    source_box: tuple[int, int, int, int]  # the same in source pixels
    clamped: bool  # the request reached past the frame's edges and was cut to fit


def plan_crop(
    region: tuple[int, int, int, int], frame_size: tuple[int, int], source_size: tuple[int, int]
) -> CropPlan | str:
    """Map `region` (in a frame of `frame_size`) onto the source; a str says why it cannot be."""
    x, y, width, height = region
    frame_w, frame_h = frame_size
    if width <= 0 or height <= 0:
        return f"width and height must be positive; got width={width}, height={height}."
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(frame_w, x + width), min(frame_h, y + height)
    if x1 <= x0 or y1 <= y0:
        return (
            f"The region x={x}, y={y}, width={width}, height={height} lies outside the video "
            f"frame, which is {frame_w}x{frame_h} pixels (x from 0 to {frame_w - 1}, y from 0 "
            f"to {frame_h - 1}). Give a rectangle inside the frame."
        )
    scale_x, scale_y = source_size[0] / frame_w, source_size[1] / frame_h
    sx0, sy0 = math.floor(x0 * scale_x), math.floor(y0 * scale_y)
    sx1 = min(source_size[0], max(sx0 + 1, math.ceil(x1 * scale_x)))
    sy1 = min(source_size[1], max(sy0 + 1, math.ceil(y1 * scale_y)))
    return CropPlan(
        frame_box=(x0, y0, x1 - x0, y1 - y0),
        source_box=(sx0, sy0, sx1 - sx0, sy1 - sy0),
        clamped=(x0, y0, x1, y1) != (x, y, x + width, y + height),
    )


def crop_and_encode(image: np.ndarray, box: tuple[int, int, int, int]) -> EncodedFrame:
    """Worker thread: cut `box` out of the full-resolution image and encode it sharply."""
    x, y, width, height = box
    crop = np.ascontiguousarray(image[y : y + height, x : x + width])
    return encode_jpeg(crop, TOOL_FRAME_SETTINGS.max_side, TOOL_FRAME_SETTINGS.quality)


def regular_frame_size(frame: Frame, settings: VideoSettings) -> tuple[int, int]:
    """The size of the regular frames made from `frame` (what the model's coordinates mean)."""
    _, width, height = plan_resize(frame.width, frame.height, settings.max_side)
    return width, height


def available_sources(current: str | None = None, extra: Sequence[str] = ()) -> list[SourceOption]:
    """Monitors, cameras, the current source and `extra` specs (blocking: run in a thread)."""
    options: list[SourceOption] = []
    with contextlib.suppress(CaptureError):  # no display: no screens to offer
        options += [SourceOption(f"screen:{m.index}", m.describe()) for m in list_monitors()]
    options += [SourceOption(f"camera:{c.index}", c.describe()) for c in list_cameras()]
    known = {o.name for o in options}
    for spec in (current, *extra):
        if spec and spec != "none" and spec not in known:
            options.append(SourceOption(spec, _describe_spec(spec)))
            known.add(spec)
    return options


def _describe_spec(spec: str) -> str:
    try:
        parsed = parse_source_spec(spec)
    except LiveViewError:
        return spec
    return {"file": "a video file", "url": "a video stream", "test": "a test pattern"}.get(
        parsed.kind, spec
    )


def _error(message: str) -> Result:
    return {"error": message}


def _int_arg(args: dict[str, Any], key: str) -> int | str:
    """An integer argument (JSON may carry 10.0 or "10"); a str says what is wrong."""
    value = args.get(key)
    if isinstance(value, bool) or value is None:
        return f"the argument {key} is missing; give it as a whole number of pixels."
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"the argument {key} must be a number of pixels, got {value!r}."
    if not math.isfinite(number):
        return f"the argument {key} must be a finite number, got {value!r}."
    return round(number)


class ToolBox:
    """The handler for liveview's functions. Call it on the controller's event loop."""

    def __init__(
        self,
        video: VideoControl,
        *,
        notify: Notify | None = None,
        allow_source_switch: bool = True,
        video_settings: VideoSettings | None = None,
        extra_sources: Sequence[str] = (),
    ) -> None:
        self.video = video
        self.notify = notify
        # Read on every switch_source call: the UI may flip it mid-session (no new session).
        self.allow_source_switch = allow_source_switch
        self.video_settings = video_settings or VideoSettings()
        self.extra_sources = tuple(extra_sources)
        self._paused_by_model = False
        self._handlers = {
            names.TAKE_SNAPSHOT: self.take_snapshot,
            names.ZOOM_TO_REGION: self.zoom_to_region,
            names.LIST_SOURCES: self.list_sources,
            names.SWITCH_SOURCE: self.switch_source,
            names.PAUSE_VIDEO: self.pause_video,
            names.RESUME_VIDEO: self.resume_video,
        }

    async def __call__(self, call: FunctionCall) -> Result:
        handler = self._handlers.get(call.name)
        if handler is None:
            known = ", ".join(self._handlers)
            return _error(f"liveview has no function named {call.name!r}; it has {known}.")
        return await handler(call)

    def on_user_pause(self, paused: bool) -> None:
        """The user paused or resumed the video: from now on the pause is the user's."""
        self._paused_by_model = False

    def _emit(self, event: object) -> None:
        if self.notify is not None:
            self.notify(event)

    # --- pictures -------------------------------------------------------------------------------

    def _blocked_by_user(self, pipeline: VideoPipeline) -> str | None:
        if pipeline.paused and not self._paused_by_model:
            return "The user paused the video; only the user can resume it."
        return None

    async def _current_frame(self) -> tuple[VideoPipeline, Frame] | str:
        pipeline = self.video.pipeline
        if pipeline is None:
            return "No video source is on. Call list_sources, then switch_source, or ask the user."
        if (why := self._blocked_by_user(pipeline)) is not None:
            return why
        waited_s = 0.0
        while True:
            if pipeline.error is not None:  # its last picture is stale: do not send it
                return f"The video source stopped: {pipeline.error.user_message}"
            if (frame := pipeline.latest_frame()) is not None:
                break
            if waited_s >= FIRST_FRAME_WAIT_S:
                return f"{pipeline.describe()} has not produced a picture yet; try again soon."
            await asyncio.sleep(FRAME_POLL_S)
            waited_s += FRAME_POLL_S
        return pipeline, frame

    async def take_snapshot(self, call: FunctionCall) -> Result:
        got = await self._current_frame()
        if isinstance(got, str):
            return _error(got)
        pipeline, frame = got
        full = (0, 0, frame.width, frame.height)
        encoded = await asyncio.to_thread(crop_and_encode, frame.image, full)
        pipeline.send_extra(encoded)  # after the last await: a cancelled call sends nothing
        regular_w, regular_h = regular_frame_size(frame, pipeline.settings)
        return {
            "output": (
                f"Sent a {encoded.width}x{encoded.height} snapshot of {pipeline.describe()} as "
                f"the next video frame. The regular frames stay {regular_w}x{regular_h}; "
                "zoom_to_region takes coordinates in those."
            ),
            "width": encoded.width,
            "height": encoded.height,
            "frame_width": regular_w,
            "frame_height": regular_h,
        }

    async def zoom_to_region(self, call: FunctionCall) -> Result:
        values = [_int_arg(call.args, key) for key in ("x", "y", "width", "height")]
        if problems := [v for v in values if isinstance(v, str)]:
            return _error("zoom_to_region: " + " ".join(problems))
        region = (int(values[0]), int(values[1]), int(values[2]), int(values[3]))
        got = await self._current_frame()
        if isinstance(got, str):
            return _error(got)
        pipeline, frame = got
        frame_size = regular_frame_size(frame, pipeline.settings)
        plan = plan_crop(region, frame_size, (frame.width, frame.height))
        if isinstance(plan, str):
            return _error(plan)
        encoded = await asyncio.to_thread(crop_and_encode, frame.image, plan.source_box)
        pipeline.send_extra(encoded)  # after the last await: a cancelled call sends nothing
        return _zoom_answer(plan, frame_size, encoded)

    # --- sources --------------------------------------------------------------------------------

    async def _sources(self) -> list[SourceOption]:
        return await asyncio.to_thread(available_sources, self.video.spec, self.extra_sources)

    async def list_sources(self, call: FunctionCall) -> Result:
        options = await self._sources()
        current = self.video.spec if self.video.pipeline is not None else None
        listed = [
            {"name": o.name, "description": o.description, "current": o.name == current}
            for o in options
        ]
        showing = f"Showing {current}." if current else "No video is on."
        if not self.allow_source_switch:
            showing += " The user does not allow the model to switch sources."
        return {"output": showing, "sources": listed, "current": current or "none"}

    async def switch_source(self, call: FunctionCall) -> Result:
        if not self.allow_source_switch:
            return _error(
                "The user has not allowed the model to switch the video source. Ask the user "
                "to switch it in liveview instead."
            )
        name = str(call.args.get("name", "")).strip()
        options = await self._sources()
        chosen = next((o for o in options if o.name == name), None)
        if chosen is None:
            valid = ", ".join(o.name for o in options) or "none"
            return _error(f"There is no source named {name!r}. Sources: {valid}.")
        if name == self.video.spec and self.video.pipeline is not None:
            return {"output": f"Already showing {name} ({chosen.description})."}
        # Shielded: once started, a switch completes (and is shown with its undo) even if the
        # call is cancelled; only the answer is then left out.
        await asyncio.shield(self._switch(chosen, call.id))
        return {"output": f"Switched the video to {name} ({chosen.description})."}

    async def _switch(self, chosen: SourceOption, call_id: str) -> None:
        previous, previous_region = self.video.spec, self.video.region
        if self.video.pipeline is None:
            previous = None
        pipeline = self.video.pipeline
        settings = pipeline.settings if pipeline is not None else self.video_settings
        try:
            await self.video.select(chosen.name, None, settings)
        except LiveViewError:
            with contextlib.suppress(LiveViewError):  # put the old source back
                await self.video.select(previous, previous_region, settings)
            raise
        self._paused_by_model = False
        self._emit(
            SourceSwitched(previous, previous_region, chosen.name, chosen.description, call_id)
        )

    # --- pause ----------------------------------------------------------------------------------

    async def pause_video(self, call: FunctionCall) -> Result:
        pipeline = self.video.pipeline
        if pipeline is None:
            return _error("No video source is on, so there is nothing to pause.")
        if pipeline.paused:
            return {"output": "The video was already paused."}
        pipeline.pause()
        self._paused_by_model = True
        self._emit(VideoPausedByModel(True, call.id))
        return {"output": "Video paused: no frames are sent until resume_video."}

    async def resume_video(self, call: FunctionCall) -> Result:
        pipeline = self.video.pipeline
        if pipeline is None:
            return _error("No video source is on. Call list_sources, then switch_source.")
        if not pipeline.paused:
            return {"output": "The video is not paused; frames are being sent."}
        if (why := self._blocked_by_user(pipeline)) is not None:
            return _error(why)
        pipeline.resume()
        self._paused_by_model = False
        self._emit(VideoPausedByModel(False, call.id))
        return {"output": f"Video resumed from {pipeline.describe()}."}


def _zoom_answer(plan: CropPlan, frame_size: tuple[int, int], encoded: EncodedFrame) -> Result:
    x, y, width, height = plan.frame_box
    detail = encoded.width / width
    text = (
        f"Sent the region x={x}, y={y}, width={width}, height={height} of the "
        f"{frame_size[0]}x{frame_size[1]} video frame as a {encoded.width}x{encoded.height} "
        f"picture ({detail:.1f} times the detail) as the next video frame."
    )
    if plan.clamped:
        text += " The rectangle you asked for reached past the frame's edge and was cut to fit."
    return {
        "output": text,
        "region": {"x": x, "y": y, "width": width, "height": height},
        "width": encoded.width,
        "height": encoded.height,
        "frame_width": frame_size[0],
        "frame_height": frame_size[1],
    }
