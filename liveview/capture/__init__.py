"""Frame sources: screen (mss), camera/file/URL (OpenCV), a synthetic test pattern, and the
thread that runs one of them for the event loop (FrameProducer)."""

from __future__ import annotations

from liveview.capture.base import Frame, FrameFilter, FrameSource, NoFrameNow, Region
from liveview.capture.camera import CameraInfo, CameraKind, CameraSource, list_cameras
from liveview.capture.runner import IDLE_GRAB_INTERVAL_S, FrameProducer
from liveview.capture.screen import MonitorInfo, ScreenSource, list_monitors, parse_region
from liveview.capture.spec import SourceSpec, list_sources_text, open_source, parse_source_spec
from liveview.capture.synthetic import SyntheticSource

__all__ = [
    "IDLE_GRAB_INTERVAL_S",
    "CameraInfo",
    "CameraKind",
    "CameraSource",
    "Frame",
    "FrameFilter",
    "FrameProducer",
    "FrameSource",
    "MonitorInfo",
    "NoFrameNow",
    "Region",
    "ScreenSource",
    "SourceSpec",
    "SyntheticSource",
    "list_cameras",
    "list_monitors",
    "list_sources_text",
    "open_source",
    "parse_region",
    "parse_source_spec",
]
