from __future__ import annotations

import numpy as np
import pytest

from liveview.capture import SyntheticSource
from liveview.capture.synthetic import BAR_COLOURS_BGR
from liveview.errors import ConfigError


def test_pattern_has_bars_a_moving_square_and_a_clock() -> None:
    source = SyntheticSource(640, 360, fps=50)
    with source:
        first, second = source.read(), source.read()
    assert first.image.shape == (360, 640, 3) and first.image.dtype == np.uint8
    assert (first.seq, second.seq) == (0, 1)
    assert second.captured_at > first.captured_at
    # Bars in BGR order, sampled in the middle of each bar below the timestamp text.
    bar_w = 640 // len(BAR_COLOURS_BGR)
    for i, colour in enumerate(BAR_COLOURS_BGR):
        assert tuple(first.image[150, i * bar_w + bar_w // 2]) == colour

    a, b = source.render(0.0, 0), source.render(1.0, 1)
    square_row = 360 * 2 // 3
    assert not np.array_equal(a[square_row], b[square_row])  # the square moved
    assert not np.array_equal(a[:60], b[:60])  # the timestamp changed


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ConfigError):
        SyntheticSource(4, 4)
    with pytest.raises(ConfigError):
        SyntheticSource(fps=0)
