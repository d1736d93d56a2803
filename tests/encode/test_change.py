from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveview.encode import DEFAULT_KEEPALIVE_S, ChangeDetector, changed_fraction, thumbnail
from liveview.errors import ConfigError
from tests.capture.patterns import make_pattern


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


SCREEN = cv2.cvtColor(make_pattern(1920, 1080, seed=5), cv2.COLOR_BGR2BGRA)


def typed(image: np.ndarray, text: str) -> np.ndarray:
    """The screen after someone typed a short word at 20 px text size."""
    out = image.copy()
    cv2.putText(out, text, (700, 900), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0, 255), 2)
    return out


def test_thumbnail_is_small_and_grey() -> None:
    thumb = thumbnail(SCREEN)
    assert thumb.shape == (72, 128) and thumb.dtype == np.uint8
    assert thumbnail(SCREEN[:, :, :3]).shape == (72, 128)
    assert thumbnail(np.zeros((10, 20), np.uint8)).shape == (10, 20)  # never upscaled
    # The pipeline thumbnails the frame it already shrank for JPEG: the same picture.
    half = cv2.resize(SCREEN, (960, 540), interpolation=cv2.INTER_AREA)
    assert changed_fraction(thumb, thumbnail(half)) == 0.0


def test_a_typed_letter_is_a_change_but_noise_is_not() -> None:
    base = thumbnail(SCREEN)
    assert changed_fraction(base, base) == 0.0
    # (A lone "." may stay under the delta: it goes out with the next change or keep-alive.)
    for letter in "ilxW":
        assert changed_fraction(base, thumbnail(typed(SCREEN, letter))) > 0.0, letter
    rng = np.random.default_rng(0)
    noise = rng.integers(-6, 7, size=SCREEN.shape, dtype=np.int16)
    noisy = np.clip(SCREEN.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    assert changed_fraction(base, thumbnail(noisy)) == 0.0
    assert changed_fraction(base, thumbnail(SCREEN[:540])) == 1.0  # new size: changed


def test_detector_sends_first_changes_and_keepalives() -> None:
    clock = FakeClock()
    detector = ChangeDetector(clock=clock)
    assert detector.keepalive_s == DEFAULT_KEEPALIVE_S == 15.0
    still = thumbnail(SCREEN)
    assert detector.should_send(still)  # nothing sent yet
    detector.mark_sent(still)
    clock.now = 1.0
    assert not detector.should_send(still)
    changed = thumbnail(typed(SCREEN, "hi"))
    assert detector.should_send(changed)
    clock.now = 14.9
    assert not detector.should_send(still)
    clock.now = 15.0
    assert detector.keepalive_due() and detector.should_send(still)
    detector.mark_sent(still)
    assert not detector.should_send(still)
    detector.reset()
    assert detector.should_send(still)


def test_threshold_is_a_fraction_of_the_picture() -> None:
    clock = FakeClock()
    base = thumbnail(SCREEN)
    small_change = thumbnail(typed(SCREEN, "x"))
    fraction = changed_fraction(base, small_change)
    assert 0 < fraction < 0.05
    detector = ChangeDetector(threshold=0.05, clock=clock)
    detector.mark_sent(base)
    assert not detector.is_changed(small_change)
    big = base.copy()
    big[:, :32] = 255 - big[:, :32]  # half the picture
    assert detector.is_changed(big)


@pytest.mark.parametrize("threshold", [-0.1, 1.0, 2.0])
def test_bad_threshold(threshold: float) -> None:
    with pytest.raises(ConfigError, match="change threshold"):
        ChangeDetector(threshold=threshold)


def test_bad_keepalive() -> None:
    with pytest.raises(ConfigError, match="keep-alive"):
        ChangeDetector(keepalive_s=0)


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(1, 1400),
    height=st.integers(1, 900),
    channels=st.sampled_from([0, 3, 4]),
    seed=st.integers(0, 2**16),
)
def test_thumbnail_is_the_area_average_opencv_computes(
    width: int, height: int, channels: int, seed: int
) -> None:
    """Read off an integral image, the cells are INTER_AREA's own means (at most one level of
    rounding apart), whatever the size and the fraction it is reduced by."""
    shape = (height, width, channels) if channels else (height, width)
    image = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    grey = image
    if channels:
        grey = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if channels == 4 else cv2.COLOR_BGR2GRAY)
    scale = min(1.0, 128 / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    expected = (
        grey if size == (width, height) else cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    )
    thumb = thumbnail(image)
    assert thumb.shape == expected.shape and thumb.dtype == np.uint8
    assert np.abs(thumb.astype(int) - expected.astype(int)).max() <= 1
