"""The user's privacy rectangles: always blacked out in what is sent, kept per monitor.

Each rectangle is stored relative to its monitor's top-left corner, under a key naming the
monitor (its name and size), so a rearranged layout keeps the rectangles on their monitor, and
the rectangles of a monitor that is not connected are kept, just not applied.

File (JSON, in the config folder from platformdirs, written atomically):

    {"version": 1,
     "monitors": {"DP-1 1920x1080": [{"x": 10, "y": 20, "width": 300, "height": 200}]}}

A file that cannot be read raises ConfigError naming it and is left untouched, so nothing the
user drew is lost by a bad edit; saving writes a temporary file and renames it over the old one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from liveview.capture.masks import RectMask
from liveview.capture.screen import MonitorInfo
from liveview.desktop.geometry import Region
from liveview.errors import ConfigError

FORMAT_VERSION = 1
FILE_NAME = "privacy_masks.json"


def default_path() -> Path:
    """Where the rectangles are kept (XDG_CONFIG_HOME on Linux, tests point it elsewhere)."""
    return Path(platformdirs.user_config_dir("liveview", appauthor=False)) / FILE_NAME


def monitor_key(monitor: MonitorInfo) -> str:
    """A monitor's identity across sessions: its output name and size (indices and positions
    change when monitors are plugged or rearranged)."""
    return f"{monitor.name} {monitor.width}x{monitor.height}"


@dataclass(frozen=True)
class PrivacyMasks:
    """Rectangles per monitor key, in monitor coordinates. Immutable: edits return a copy."""

    monitors: Mapping[str, tuple[Region, ...]] = field(default_factory=dict)

    def rects_for(self, monitor: MonitorInfo) -> tuple[Region, ...]:
        """The monitor's rectangles in monitor coordinates (what an editor shows)."""
        return tuple(self.monitors.get(monitor_key(monitor), ()))

    def with_rect(self, monitor: MonitorInfo, screen_rect: Region) -> PrivacyMasks:
        """Add a rectangle given in screen coordinates (as drawn), clipped to the monitor."""
        bounds = Region(monitor.left, monitor.top, monitor.width, monitor.height)
        clipped = screen_rect.intersection(bounds)
        if clipped is None:
            raise ConfigError(
                f"The rectangle {screen_rect.describe()} is not on monitor {monitor.index} "
                f"({monitor.width}x{monitor.height} at {monitor.left},{monitor.top})."
            )
        local = Region(clipped.x - monitor.left, clipped.y - monitor.top, *_size(clipped))
        return self._replace(monitor, (*self.rects_for(monitor), local))

    def without_rect(self, monitor: MonitorInfo, index: int) -> PrivacyMasks:
        rects = list(self.rects_for(monitor))
        if not 0 <= index < len(rects):
            raise ConfigError(f"Monitor {monitor.index} has no privacy rectangle {index + 1}.")
        del rects[index]
        return self._replace(monitor, tuple(rects))

    def cleared(self, monitor: MonitorInfo) -> PrivacyMasks:
        return self._replace(monitor, ())

    def _replace(self, monitor: MonitorInfo, rects: tuple[Region, ...]) -> PrivacyMasks:
        updated = dict(self.monitors)
        if rects:
            updated[monitor_key(monitor)] = rects
        else:
            updated.pop(monitor_key(monitor), None)
        return PrivacyMasks(updated)

    def screen_rects(self, monitors: Iterable[MonitorInfo]) -> list[Region]:
        """Every rectangle of the connected monitors, in screen coordinates (what is masked)."""
        rects = []
        for monitor in monitors:
            for r in self.rects_for(monitor):
                rects.append(Region(r.x + monitor.left, r.y + monitor.top, r.width, r.height))
        return rects

    def mask(self, monitors: Iterable[MonitorInfo]) -> RectMask:
        """A FrameFilter masking these rectangles on the given monitors."""
        rects = tuple(self.screen_rects(monitors))
        return RectMask(lambda: rects)

    # --- the file ------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "monitors": {
                key: [{"x": r.x, "y": r.y, "width": r.width, "height": r.height} for r in rects]
                for key, rects in sorted(self.monitors.items())
            },
        }

    @classmethod
    def from_json(cls, data: object, *, origin: str = "privacy masks") -> PrivacyMasks:
        """Parse the file's content. Raises ConfigError saying what is wrong and where."""
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ConfigError(f"{origin}: not a version {FORMAT_VERSION} privacy mask file.")
        monitors = data.get("monitors")
        if not isinstance(monitors, dict):
            raise ConfigError(f"{origin}: 'monitors' must be an object of monitor: rectangles.")
        parsed: dict[str, tuple[Region, ...]] = {}
        for key, rects in monitors.items():
            if not isinstance(rects, list):
                raise ConfigError(f"{origin}: the rectangles of {key!r} must be a list.")
            parsed[str(key)] = tuple(_rect(r, f"{origin}: {key!r}") for r in rects)
        return cls({k: v for k, v in parsed.items() if v})


def _size(rect: Region) -> tuple[int, int]:
    return rect.width, rect.height


def _rect(item: object, where: str) -> Region:
    names = ("x", "y", "width", "height")
    if not isinstance(item, dict) or not all(
        isinstance(item.get(n), int) and not isinstance(item.get(n), bool) for n in names
    ):
        raise ConfigError(f"{where}: a rectangle needs integer x, y, width and height: {item!r}")
    rect = Region(item["x"], item["y"], item["width"], item["height"])
    if rect.width <= 0 or rect.height <= 0 or rect.x < 0 or rect.y < 0:
        raise ConfigError(f"{where}: rectangle {item!r} has no area or lies off its monitor.")
    return rect


def load(path: Path | None = None) -> PrivacyMasks:
    """The saved rectangles (none when there is no file). Raises ConfigError for a file that
    cannot be read; the file is left as it is."""
    target = path or default_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PrivacyMasks()
    except OSError as exc:
        raise ConfigError(f"Cannot read the privacy masks in {target}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The privacy masks in {target} are not valid JSON ({exc}); the file was left as it "
            "is. Fix or remove it."
        ) from exc
    return PrivacyMasks.from_json(data, origin=str(target))


def save(masks: PrivacyMasks, path: Path | None = None) -> Path:
    """Write the rectangles atomically (a reader never sees half a file). Returns the path."""
    target = path or default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(masks.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return target
