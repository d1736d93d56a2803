"""Media around a session: the video pipeline (and later audio) built from the user's choices.

Both the window and headless mode compose a session the same way through here.
"""

from __future__ import annotations

import argparse
import contextlib

from liveview.capture.runner import FrameProducer
from liveview.capture.spec import open_source
from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.errors import LiveViewError


def video_settings_from_args(args: argparse.Namespace) -> VideoSettings:
    """--fps/--max-side/--jpeg-quality/--change-threshold over the defaults (validated)."""
    overrides = {
        name: getattr(args, name)
        for name in ("fps", "max_side", "jpeg_quality", "change_threshold")
        if getattr(args, name, None) is not None
    }
    return VideoSettings(**overrides)


def build_video_pipeline(
    controller: SessionController,
    source: str | None,
    region: str | None,
    settings: VideoSettings,
) -> VideoPipeline | None:
    """None for no video. Raises ConfigError for a bad source (listing what exists)."""
    if not source or source == "none":
        return None
    frame_source = open_source(source, region=region)
    if frame_source is None:
        return None

    def on_error(exc: LiveViewError) -> None:
        # A source failing mid-stream stops itself; the session goes on without video.
        controller.notify(core.Notice(f"Video stopped: {exc.user_message}", "warning"))

    producer = FrameProducer(frame_source)
    return VideoPipeline(producer, settings, controller.submit_video_frame, on_error=on_error)


async def run_video(pipeline: VideoPipeline | None) -> None:
    """Run the pipeline until cancelled; a failed source ends it quietly (already reported)."""
    if pipeline is None:
        return
    with contextlib.suppress(LiveViewError):
        await pipeline.run()
