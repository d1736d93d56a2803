"""Screen rectangles, shared by the window list, masks, auto-pause and the frame sources.

Here, below capture/, because desktop/ must not import capture/ (the layers only import down).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """A rectangle in screen coordinates (x, y of the top-left corner, width, height)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def intersection(self, other: Region) -> Region | None:
        """The overlap of the two rectangles, or None when they do not overlap."""
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Region(left, top, right - left, bottom - top)

    def intersects(self, other: Region) -> bool:
        return self.intersection(other) is not None

    def describe(self) -> str:
        return f"{self.width}x{self.height} at {self.x},{self.y}"
