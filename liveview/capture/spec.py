"""`--source` / `--region` parsing and the factory that turns them into a FrameSource.

Accepted: none | screen[:N] | window:TITLE | camera[:N] | file:PATH | url:URL | test[:WxH]
(a bare http://, https://, rtsp://... address is taken as url:). window:TITLE is a
case-insensitive part of a window's title.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from liveview.capture.base import FrameSource, Region
from liveview.capture.camera import (
    DEFAULT_MAX_CAMERA_INDEX,
    CameraInfo,
    CameraKind,
    CameraSource,
    camera_exists,
    list_cameras,
)
from liveview.capture.screen import (
    ScreenSource,
    list_monitors,
    parse_region,
    resolve_target,
)
from liveview.capture.synthetic import DEFAULT_SIZE, DEFAULT_SYNTHETIC_FPS, SyntheticSource
from liveview.capture.window import WindowSource, resolve_window
from liveview.desktop.window_platform import list_windows
from liveview.desktop.windows import windows_text
from liveview.errors import CaptureError, ConfigError

SourceKind = Literal["none", "screen", "window", "camera", "file", "url", "test"]
URL_SCHEMES = ("http", "https", "rtsp", "rtsps", "rtmp", "udp", "tcp", "srt")
SOURCE_SYNTAX = "none | screen[:N] | window:TITLE | camera[:N] | file:PATH | url:URL | test"


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    index: int | None = None  # monitor (1-based) or camera (0-based)
    path: Path | None = None
    url: str | None = None
    region: Region | None = None
    size: tuple[int, int] | None = None  # test pattern size
    title: str | None = None  # part of a window's title


def _bad(spec: str, why: str) -> ConfigError:
    return ConfigError(f"--source {spec!r}: {why}. Use {SOURCE_SYNTAX}.")


def _index(spec: str, text: str, minimum: int) -> int:
    if not text.isdigit() or int(text) < minimum:
        raise _bad(spec, f"{text!r} is not a number >= {minimum}")
    return int(text)


def _size(spec: str, text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise _bad(spec, f"test pattern size {text!r} is not WIDTHxHEIGHT, e.g. test:1280x720")
    return int(width), int(height)


def parse_source_spec(spec: str, region: str | None = None) -> SourceSpec:
    """Parse --source (and --region, which only a screen source takes). Raises ConfigError."""
    text = spec.strip()
    kind, _, arg = text.partition(":")
    kind = kind.lower()
    if kind in URL_SCHEMES and arg.startswith("//"):
        kind, arg = "url", text
    parsed_region = parse_region(region) if region else None
    if parsed_region is not None and kind != "screen":
        raise ConfigError(f"--region only applies to a screen source, not {spec!r}.")
    if kind == "none" and not arg:
        return SourceSpec("none")
    if kind == "screen":
        index = _index(spec, arg, 1) if arg else None
        return SourceSpec("screen", index=index, region=parsed_region)
    if kind == "window":
        if not arg.strip():
            raise _bad(spec, "give part of the window's title after window:, e.g. window:Firefox")
        return SourceSpec("window", title=arg.strip())
    if kind == "camera":
        return SourceSpec("camera", index=_index(spec, arg, 0) if arg else 0)
    if kind == "file":
        if not arg:
            raise _bad(spec, "give the video file after file:, e.g. file:/path/to/clip.mp4")
        path = Path(arg).expanduser()
        if not path.is_file():
            raise ConfigError(f"Video file {str(path)!r} does not exist (from --source {spec!r}).")
        return SourceSpec("file", path=path)
    if kind == "url":
        scheme = arg.partition("://")[0].lower()
        if scheme not in URL_SCHEMES or "://" not in arg:
            raise _bad(spec, f"{arg!r} is not a stream address ({', '.join(URL_SCHEMES)})")
        return SourceSpec("url", url=arg)
    if kind == "test":
        return SourceSpec("test", size=_size(spec, arg) if arg else None)
    raise _bad(spec, "unknown source")


def open_source(
    spec: SourceSpec | str,
    *,
    region: str | None = None,
    resolution: tuple[int, int] | None = None,
    loop: bool = True,
    test_fps: float = DEFAULT_SYNTHETIC_FPS,
) -> FrameSource | None:
    """Build the source for a spec (None for "none"), checking what can be checked up front:
    the monitor exists and holds the region, the camera exists, the file exists.

    It may touch the display (a few ms): call it before the event loop runs or in a thread. The
    returned source is not opened yet; its own thread opens it (see FrameProducer).
    """
    parsed = parse_source_spec(spec, region) if isinstance(spec, str) else spec
    if parsed.kind == "none":
        return None
    if parsed.kind == "screen":
        resolve_target(list_monitors(), parsed.index, parsed.region)  # raises with the monitor list
        return ScreenSource(parsed.index, parsed.region)
    if parsed.kind == "window":
        assert parsed.title is not None
        # Raises WindowNotFoundError / AmbiguousWindowError (exit 2) listing the windows.
        window = resolve_window(parsed.title)
        return WindowSource(parsed.title, handle=window.handle)
    if parsed.kind == "camera":
        assert parsed.index is not None
        if camera_exists(parsed.index) is False:
            raise ConfigError(
                f"There is no camera {parsed.index}. {cameras_text(list_cameras())} "
                "Use --source camera:N, or file:PATH / url:URL for a recording or an IP camera."
            )
        return CameraSource(parsed.index, CameraKind.DEVICE, resolution=resolution)
    if parsed.kind == "file":
        assert parsed.path is not None
        return CameraSource(parsed.path, CameraKind.FILE, loop=loop)
    if parsed.kind == "url":
        assert parsed.url is not None
        return CameraSource(parsed.url, CameraKind.URL)
    width, height = parsed.size or DEFAULT_SIZE
    return SyntheticSource(width, height, fps=test_fps)


def cameras_text(cameras: list[CameraInfo]) -> str:
    if not cameras:
        return "No cameras were found."
    return "Cameras: " + "; ".join(c.describe() for c in cameras) + "."


def list_sources_text(max_camera_index: int = DEFAULT_MAX_CAMERA_INDEX) -> str:
    """What --list-sources prints: monitors, windows and cameras, one per line (blocking: probes
    devices and the window list)."""
    lines = ["Monitors (--source screen:N):"]
    try:
        lines += [f"  {m.describe()}" for m in list_monitors()] or ["  none"]
    except CaptureError as exc:
        lines.append(f"  none ({exc})")
    lines.append("Windows (--source window:TITLE, part of the title), top of the stack first:")
    try:
        lines.append(windows_text(list_windows()))
    except CaptureError as exc:
        lines.append(f"  none ({exc})")
    lines.append("Cameras (--source camera:N):")
    lines += [f"  {c.describe()}" for c in list_cameras(max_camera_index)] or ["  none found"]
    lines.append(
        "Also: file:PATH (a video file), url:URL (http/rtsp stream), test (a test pattern)."
    )
    return "\n".join(lines)
