"""Masks: rectangles in screen coordinates filled flat on a frame before it can be encoded.

Pure numpy. A frame knows where it lies on the screen (Frame.region: a monitor, a region or a
window, each with its own origin); a mask rectangle is mapped through it onto the image, scaled
when the image has more pixels than the region (HiDPI), and clipped to it.

Two uses, both FrameFilters that FrameProducer runs on the capture thread between the grab and
the encoder:
- SelfMask: liveview's own windows (main window, overlay, dialogs, region picker), following
  them as they move, so the model never sees liveview. It fails closed: when the rectangles
  cannot be had, the video is held rather than sent unmasked.
- RectMask: any rectangles, e.g. the user's privacy rectangles (capture.privacy).

Frames that are not of the screen (camera, file, test pattern: region None) pass untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from liveview.capture.base import Frame, NoFrameNow
from liveview.desktop.geometry import Region

log = logging.getLogger(__name__)

# A flat, dark, slightly blue grey: plainly "something hidden here", distinct from a black
# screen, and cheap for the JPEG encoder (one flat block).
MASK_COLOUR_BGR = (48, 40, 40)
# liveview's window rectangles are read at the grab; a window being dragged can be a few pixels
# ahead by then. The margin covers that and the window manager's shadow/border.
SELF_MASK_MARGIN_PX = 12

RectsProvider = Callable[[], Iterable[Region]]


def to_image_box(
    rect: Region, frame_region: Region, image_width: int, image_height: int
) -> tuple[int, int, int, int] | None:
    """The image pixels (x0, y0, x1, y1, end exclusive) that a screen rectangle covers in a
    picture of `frame_region`, or None when it does not overlap the picture."""
    overlap = rect.intersection(frame_region)
    if overlap is None:
        return None
    scale_x = image_width / frame_region.width
    scale_y = image_height / frame_region.height
    # Round outwards: a mask covers every pixel it touches, never a pixel less.
    x0 = int(np.floor((overlap.x - frame_region.x) * scale_x))
    y0 = int(np.floor((overlap.y - frame_region.y) * scale_y))
    x1 = int(np.ceil((overlap.right - frame_region.x) * scale_x))
    y1 = int(np.ceil((overlap.bottom - frame_region.y) * scale_y))
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(image_width, x1), min(image_height, y1)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def fill_rects(
    image: np.ndarray,
    frame_region: Region,
    rects: Iterable[Region],
    colour: tuple[int, int, int] = MASK_COLOUR_BGR,
) -> int:
    """Fill, in place, every part of `image` (a picture of `frame_region`, BGR or BGRA) that a
    screen rectangle covers. Returns how many rectangles touched the picture."""
    height, width = image.shape[:2]
    value = np.array((*colour, 255)[: image.shape[2]], dtype=image.dtype)
    touched = 0
    for rect in rects:
        box = to_image_box(rect, frame_region, width, height)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        image[y0:y1, x0:x1] = value
        touched += 1
    return touched


def mask_frame(
    frame: Frame, rects: Sequence[Region], colour: tuple[int, int, int] = MASK_COLOUR_BGR
) -> Frame:
    """The frame with the rectangles filled (the same frame when none touches it)."""
    if frame.region is None or not rects:
        return frame
    height, width = frame.image.shape[:2]
    if not any(to_image_box(r, frame.region, width, height) for r in rects):
        return frame
    image = frame.image
    # A frame owns its image (base.Frame), but a grab's buffer may be read-only: copy then.
    if not image.flags.writeable:
        image = image.copy()
    fill_rects(image, frame.region, rects, colour)
    return dataclasses.replace(frame, image=image)


def grow(rect: Region, margin: int) -> Region:
    return Region(
        rect.x - margin, rect.y - margin, rect.width + 2 * margin, rect.height + 2 * margin
    )


class RectMask:
    """A FrameFilter that fills the rectangles `provider` gives at each grab (screen
    coordinates). The provider is called on the capture thread: it must be thread-safe."""

    def __init__(
        self, provider: RectsProvider, *, colour: tuple[int, int, int] = MASK_COLOUR_BGR
    ) -> None:
        self._provider = provider
        self._colour = colour

    def rects(self) -> list[Region]:
        return list(self._provider())

    def __call__(self, frame: Frame) -> Frame:
        if frame.region is None:
            return frame
        return mask_frame(frame, self.rects(), self._colour)


class SelfMask(RectMask):
    """Masks liveview's own top-level windows in every frame.

    `provider` gives their current rectangles, frames included (QWindow.frameGeometry() in the
    UI, fed through RectsBox from the GUI thread; or desktop.windows_x11's own_window_rects,
    which asks the X server directly). If it raises, the video is held ("fails closed"): an
    unmasked liveview window is exactly what this must never send.
    """

    def __init__(
        self,
        provider: RectsProvider,
        *,
        margin_px: int = SELF_MASK_MARGIN_PX,
        colour: tuple[int, int, int] = MASK_COLOUR_BGR,
        enabled: bool = True,
    ) -> None:
        super().__init__(provider, colour=colour)
        self._margin_px = margin_px
        self.enabled = enabled  # the setting "Hide liveview from what is sent" (on by default)

    def rects(self) -> list[Region]:
        return [grow(r, self._margin_px) for r in self._provider()]

    def __call__(self, frame: Frame) -> Frame:
        if not self.enabled or frame.region is None:
            return frame
        try:
            rects = self.rects()
        except Exception as exc:
            log.warning("liveview's own windows could not be located: %s", exc)
            raise NoFrameNow(
                f"Video is held: liveview could not locate its own windows to hide them ({exc}).",
                badge="paused: cannot hide liveview",
            ) from exc
        return mask_frame(frame, rects, self._colour)


class RectsBox:
    """A thread-safe holder of rectangles: one thread set()s (the GUI thread, whenever one of
    liveview's windows is shown, moved, resized or hidden), the capture thread calls it."""

    def __init__(self, rects: Iterable[Region] = ()) -> None:
        self._lock = threading.Lock()
        self._rects: tuple[Region, ...] = tuple(rects)

    def set(self, rects: Iterable[Region]) -> None:
        snapshot = tuple(rects)
        with self._lock:
            self._rects = snapshot

    def __call__(self) -> tuple[Region, ...]:
        with self._lock:
            return self._rects
