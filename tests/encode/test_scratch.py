"""Kept buffers for the frame path: the same pixels as fresh arrays, no new memory per frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from liveview.encode import resize_to_max_side, thumbnail
from liveview.encode.scratch import Scratch
from tests.capture.patterns import make_pattern


@pytest.mark.parametrize(
    ("size", "max_side"), [((1920, 1080), 1024), ((3840, 2160), 1024), ((2560, 1440), 1024)]
)
def test_the_frame_path_in_kept_buffers_makes_the_same_pixels(
    size: tuple[int, int], max_side: int
) -> None:
    scratch = Scratch()
    for seed in (1, 2):  # the second frame goes into the buffers the first one made
        frame = cv2.cvtColor(make_pattern(*size, seed=seed), cv2.COLOR_BGR2BGRA)
        small = resize_to_max_side(frame, max_side, scratch)
        assert np.array_equal(small, resize_to_max_side(frame, max_side))
        assert scratch.holds(small)
        thumb = thumbnail(small, scratch=scratch)
        assert np.array_equal(thumb, thumbnail(small)) and not scratch.holds(thumb)


def test_buffers_are_reused_frame_after_frame() -> None:
    scratch = Scratch()
    frame = np.zeros((1080, 1920, 4), np.uint8)
    first = resize_to_max_side(frame, 1024, scratch)
    thumbnail(first, scratch=scratch)
    kept = {name: b.ctypes.data for name, b in scratch._buffers.items()}
    again = resize_to_max_side(frame, 1024, scratch)
    thumbnail(again, scratch=scratch)
    assert again.ctypes.data == first.ctypes.data
    assert {name: b.ctypes.data for name, b in scratch._buffers.items()} == kept


def test_a_thumbnail_the_size_of_its_input_is_not_in_a_kept_buffer() -> None:
    scratch = Scratch()
    small = make_pattern(128, 72, seed=3)
    thumb = thumbnail(small, scratch=scratch)
    assert not scratch.holds(thumb)
    thumbnail(make_pattern(128, 72, seed=4), scratch=scratch)
    assert np.array_equal(thumb, thumbnail(small))  # not overwritten by the next frame
