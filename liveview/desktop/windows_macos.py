"""macOS window listing: CGWindowListCopyWindowInfo through pyobjc's Quartz framework.

What macOS tells and what it does not:
- Titles (kCGWindowName) are given only to a process the user allowed under Privacy &
  Security > Screen Recording, which liveview needs to capture the screen anyway; without it
  titles are empty and the application name (kCGWindowOwnerName) is all there is.
- A minimised window is simply not on screen; so is one on another Space. Both are reported
  minimised (not visible), which is what the window source and auto-pause need.
- Bounds are in points (not pixels) with the origin at the top left of the main display; mss
  grabs use the same coordinates and return Retina pixels, which Frame.region accounts for.
- There is no separate client area: geometry and frame are the same rectangle.

Not run on this machine (no macOS here): written against Apple's documentation and
type-checked with `mypy --platform darwin`.
"""

from __future__ import annotations

from typing import Any

from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowKind, WindowLister, WindowListError

NORMAL_WINDOW_LAYER = 0  # kCGWindowLayer of application windows (menus, docks are above)


class MacWindowLister(WindowLister):
    def __init__(self) -> None:
        try:
            import Quartz
        except ImportError as exc:
            raise WindowListError(f"The window list needs pyobjc's Quartz: {exc}") from exc
        self._quartz: Any = Quartz

    def _infos(self, option: int, relative_to: int) -> list[dict[str, Any]]:
        raw = self._quartz.CGWindowListCopyWindowInfo(option, relative_to)
        return [dict(item) for item in (raw or [])]

    def snapshot(self) -> list[WindowInfo]:
        q = self._quartz
        infos = self._infos(
            q.kCGWindowListOptionAll | q.kCGWindowListExcludeDesktopElements, q.kCGNullWindowID
        )
        count = len(infos)
        # The list is ordered front to back: the first is the top of the stack.
        windows = [self._describe(info, count - 1 - i) for i, info in enumerate(infos)]
        return sorted((w for w in windows if w is not None), key=lambda w: w.stacking)

    def window(self, handle: int) -> WindowInfo | None:
        q = self._quartz
        infos = self._infos(q.kCGWindowListOptionIncludingWindow, handle)
        return self._describe(infos[0], 0) if infos else None

    def _describe(self, info: dict[str, Any], stacking: int) -> WindowInfo | None:
        q = self._quartz
        bounds = info.get(q.kCGWindowBounds) or {}
        rect = Region(
            int(bounds.get("X", 0)),
            int(bounds.get("Y", 0)),
            int(bounds.get("Width", 0)),
            int(bounds.get("Height", 0)),
        )
        if rect.width <= 0 or rect.height <= 0:
            return None
        layer = int(info.get(q.kCGWindowLayer, 0))
        on_screen = bool(info.get(q.kCGWindowIsOnscreen, False))
        owner = str(info.get(q.kCGWindowOwnerName, "") or "unknown")
        pid = info.get(q.kCGWindowOwnerPID)
        return WindowInfo(
            handle=int(info[q.kCGWindowNumber]),
            title=str(info.get(q.kCGWindowName, "") or ""),
            app=owner,
            pid=int(pid) if pid is not None else None,
            process=owner,
            geometry=rect,
            frame=rect,
            minimised=not on_screen,
            visible=on_screen,
            stacking=stacking,
            kind=WindowKind.NORMAL if layer == NORMAL_WINDOW_LAYER else WindowKind.OTHER,
        )

    def close(self) -> None:
        return None
