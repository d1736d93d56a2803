"""X11 grabs written by the X server straight into recycled shared memory (MIT-SHM), no copy.

mss grabs a monitor with XShmGetImage into one shared segment and then copies it into a fresh
8 MB bytearray per grab (about 0.7-1.4 ms of CPU at 1080p here, plus its allocation). Here the
server writes each grab into one of a few slots of a segment of our own, and the frame's image is
a view on that slot: no copy on our side at all.

A Frame owns its pixels (capture.base.Frame): a slot is written again only when nothing refers to
its array any more. Every array made from a slot (the image, any slice or view of it, a
memoryview) holds a reference to the slot's flat array, so CPython's reference count of that one
array says whether anyone still holds a picture in the slot. When every slot is held, or the
server cannot do MIT-SHM (a remote display), the grab falls back to mss's own path (a fresh
buffer per grab), which is always correct.

This uses mss's XCB connection and its libxcb bindings (mss.linux.xcb), i.e. mss >= 10.2 on
Linux; anything else falls back to mss.grab(). tests/capture/test_xshm.py checks the fast path
is taken on Xvfb, so an mss release that breaks it fails a test instead of going slow quietly.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import sys
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

GRAB_SLOTS = 3  # the newest frame, one being encoded or cropped by a tool, and the next grab
_BYTES_PER_PIXEL = 4  # ZPixmap at depth 24/32: BGRX


def _xcb() -> tuple[Any, Any, int] | None:
    """mss's xcb bindings, its LIB and ALL_PLANES, or None where they do not exist."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        from mss.linux import xcb
        from mss.linux.base import ALL_PLANES
        from mss.linux.xcbhelpers import LIB
    except ImportError:
        return None
    return xcb, LIB, int(ALL_PLANES)


class ShmGrabber:
    """Grabs boxes of the screen through `sct` (an mss.MSS() of the calling thread).

    Not thread-safe, like the mss instance it uses: one thread grabs (the source's own).
    """

    def __init__(self, sct: Any, max_box_bytes: int, *, slots: int = GRAB_SLOTS) -> None:
        self._sct = sct
        self._slot_bytes = max_box_bytes
        self._map: mmap.mmap | None = None
        self._seg: Any = None
        self._slots: list[np.ndarray] = []
        self._baseline = 0  # sys.getrefcount() of a slot's flat array that nobody else holds
        self.fallbacks = 0  # grabs that went through mss.grab() (all slots held, or no SHM)
        self.why_not = ""  # why the shared-memory path is off ("" while it is on)
        try:
            self._attach(slots)
        except Exception as exc:  # any failure here only means the slower, always-correct path
            self._detach()
            self.why_not = f"MIT-SHM unavailable: {exc}"
            log.info("screen grabs copy through mss: %s", self.why_not)

    @property
    def active(self) -> bool:
        return self._seg is not None

    def _attach(self, slots: int) -> None:
        bindings = _xcb()
        impl = getattr(self._sct, "_impl", None)
        conn, drawable = getattr(impl, "conn", None), getattr(impl, "drawable", None)
        if bindings is None or conn is None or drawable is None:
            raise RuntimeError("not an XCB-based mss (mss >= 10.2 on Linux)")
        xcb, lib, _ = bindings
        if not xcb.get_extension_data(conn, lib.shm_id).present:
            raise RuntimeError("the X server has no MIT-SHM extension")
        version = xcb.shm_query_version(conn)
        if (version.major_version, version.minor_version) < (1, 2):  # attach_fd needs 1.2
            raise RuntimeError("MIT-SHM older than 1.2")
        fd = os.memfd_create("liveview-grabs", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, self._slot_bytes * slots)
            self._map = mmap.mmap(fd, self._slot_bytes * slots)
        except OSError:
            os.close(fd)
            raise
        seg = xcb.ShmSeg(xcb.generate_id(conn).value)
        xcb.shm_attach_fd(conn, seg, fd, read_only=False)  # libxcb closes fd, either way
        self._seg = seg
        self._conn, self._drawable = conn, drawable
        offsets = range(0, self._slot_bytes * slots, self._slot_bytes)
        self._slots = [
            np.frombuffer(self._map, np.uint8, self._slot_bytes, offset) for offset in offsets
        ]
        self._baseline = sys.getrefcount(self._slots[0])

    def grab(self, box: dict[str, int]) -> np.ndarray:
        """HxWx4 BGRA pixels of `box` (left, top, width, height), writeable, owned by whoever
        holds them. Raises mss's ScreenShotError as mss.grab() would."""
        width, height = box["width"], box["height"]
        size = width * height * _BYTES_PER_PIXEL
        index = self._free_slot() if self.active and size <= self._slot_bytes else None
        if index is None:
            self.fallbacks += 1
            return np.asarray(self._sct.grab(box))
        try:
            self._grab_into(index, box, size)
        except Exception as exc:
            # E.g. a box outside the root window: mss says what is wrong in its own words.
            log.debug("MIT-SHM grab failed (%s); grabbing through mss", exc)
            self.fallbacks += 1
            return np.asarray(self._sct.grab(box))
        return self._slots[index][:size].reshape(height, width, _BYTES_PER_PIXEL)

    def _free_slot(self) -> int | None:
        # Counted exactly as the baseline was (the list's reference and the call's argument).
        for index in range(len(self._slots)):
            if sys.getrefcount(self._slots[index]) <= self._baseline:
                return index
        return None

    def _grab_into(self, index: int, box: dict[str, int], size: int) -> None:
        bindings = _xcb()
        assert bindings is not None
        xcb, _, all_planes = bindings
        reply = xcb.shm_get_image(
            self._conn, self._drawable, box["left"], box["top"], box["width"], box["height"],
            all_planes, xcb.ImageFormat.ZPixmap, self._seg, index * self._slot_bytes,
        )  # fmt: skip
        if int(reply.size) != size:
            raise RuntimeError(f"the server wrote {reply.size} bytes, not {size}")

    def close(self) -> None:
        self._detach()

    def _detach(self) -> None:
        bindings, seg = _xcb(), self._seg
        self._seg = None
        if seg is not None and bindings is not None:
            try:
                bindings[0].shm_detach(self._conn, seg)
            except Exception as exc:  # the connection may already be gone
                log.debug("MIT-SHM detach failed: %s", exc)
        self._slots = []
        if self._map is not None:
            # Frames may still hold pictures in it: then it is freed with the last of them.
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None
