from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveview.encode import (
    SNAPSHOT_SETTINGS,
    EncodeSettings,
    decode_jpeg,
    encode_jpeg,
    encode_resized,
    plan_resize,
    preview_of,
    reduce_by,
    resize_to_max_side,
    to_bgr,
)
from liveview.errors import ConfigError
from tests.capture.patterns import make_pattern, psnr, shrink


@pytest.mark.parametrize(
    ("size", "max_side", "plan"),
    [
        ((1920, 1080), 1024, (2, 960, 540)),  # exact 1/2: OpenCV's integer fast path
        ((3840, 2160), 1024, (4, 960, 540)),
        ((2560, 1440), 1024, (2, 1024, 576)),  # 1/3 would be 853 (too small): 1/2, then a step
        ((1280, 720), 1024, (1, 1024, 576)),
        ((800, 600), 1024, (1, 800, 600)),  # never upscaled
        ((1080, 1920), 1024, (2, 540, 960)),  # portrait
        ((1921, 1081), 1024, (2, 960, 540)),  # odd sizes: cropped to a multiple of 2
    ],
)
def test_plan_resize(size: tuple[int, int], max_side: int, plan: tuple[int, int, int]) -> None:
    assert plan_resize(*size, max_side) == plan


@given(
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
    max_side=st.integers(64, 4096),
)
def test_plan_never_upscales_and_stays_close_to_the_target(
    width: int, height: int, max_side: int
) -> None:
    factor, out_w, out_h = plan_resize(width, height, max_side)
    assert factor >= 1
    assert out_w <= width and out_h <= height
    assert max(out_w, out_h) <= max(max_side, 1)
    if max(width, height) > max_side:
        # within 10 % of the target, give or take rounding of tiny images
        assert max(out_w, out_h) >= 0.9 * max_side - 1


@pytest.mark.parametrize("channels", [3, 4])
def test_encode_matches_a_reference_resize(channels: int) -> None:
    pattern = make_pattern(1920, 1080, seed=1)
    image = cv2.cvtColor(pattern, cv2.COLOR_BGR2BGRA) if channels == 4 else pattern
    encoded = encode_jpeg(image)  # defaults: 1024 px, q80
    assert (encoded.width, encoded.height) == (960, 540)
    assert encoded.mime_type == "image/jpeg"
    assert encoded.data[:2] == b"\xff\xd8"  # a JPEG
    decoded = decode_jpeg(encoded.data)
    assert decoded.shape == (540, 960, 3)
    assert psnr(decoded, shrink(pattern, 960, 540)) >= 30


def test_general_resize_path_and_odd_sizes() -> None:
    pattern = make_pattern(2561, 1441, seed=2)
    encoded = encode_jpeg(pattern, max_side=1024, quality=85)
    assert (encoded.width, encoded.height) == (1024, 576)
    assert psnr(decode_jpeg(encoded.data), shrink(pattern, 1024, 576)) >= 30


def test_quality_and_snapshot_settings_trade_size_for_detail() -> None:
    pattern = make_pattern(1920, 1080, seed=4)
    low = encode_jpeg(pattern, quality=40)
    normal = encode_jpeg(pattern)
    snapshot = encode_jpeg(pattern, SNAPSHOT_SETTINGS.max_side, SNAPSHOT_SETTINGS.quality)
    assert len(low.data) < len(normal.data) < len(snapshot.data)
    assert (snapshot.width, snapshot.height) == (1920, 1080)
    assert psnr(decode_jpeg(snapshot.data), pattern) > psnr(
        cv2.resize(decode_jpeg(normal.data), (1920, 1080)), pattern
    )


def test_grey_input_and_input_is_not_modified() -> None:
    grey = np.tile(np.arange(256, dtype=np.uint8), (100, 4))
    before = grey.copy()
    encoded = encode_jpeg(grey, max_side=512)
    assert (encoded.width, encoded.height) == (512, 50)
    assert np.array_equal(grey, before)
    assert to_bgr(grey).shape == (100, 1024, 3)


def test_resize_returns_the_same_array_when_small_enough() -> None:
    image = np.zeros((100, 200, 4), np.uint8)
    assert resize_to_max_side(image, 1024) is image


@pytest.mark.parametrize(("max_side", "quality"), [(10, 80), (5000, 80), (1024, 0), (1024, 101)])
def test_bad_settings_are_config_errors(max_side: int, quality: int) -> None:
    with pytest.raises(ConfigError):
        encode_jpeg(np.zeros((10, 10, 3), np.uint8), max_side, quality)
    with pytest.raises(ConfigError):
        EncodeSettings(max_side, quality)


def test_bad_images_are_refused() -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_jpeg(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(ValueError, match="channels"):
        encode_jpeg(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(ValueError, match="decodable"):
        decode_jpeg(b"not a jpeg")


@pytest.mark.parametrize("factor", [2, 3, 4, 6])
def test_reduce_by_an_integer_is_inter_area_by_it(factor: int) -> None:
    """Even factors are taken as halvings (OpenCV's fast path): the same block means, give or
    take a level per halving of rounding; odd ones are OpenCV's own."""
    image = np.random.default_rng(factor).integers(0, 256, (361, 643, 4), dtype=np.uint8)
    reduced = reduce_by(image, factor)
    h, w = 361 // factor, 643 // factor
    resize_by = cv2.resize(image[: h * factor, : w * factor], (w, h), interpolation=cv2.INTER_AREA)
    assert reduced.shape == resize_by.shape == (h, w, 4)
    assert np.abs(reduced.astype(int) - resize_by.astype(int)).max() <= 2
    assert reduce_by(image, 1) is image


def test_4k_reaches_960_by_two_halvings() -> None:
    pattern = cv2.cvtColor(make_pattern(3840, 2160, seed=6), cv2.COLOR_BGR2BGRA)
    small = resize_to_max_side(pattern, 1024)
    assert small.shape == (540, 960, 4)
    assert psnr(to_bgr(small), shrink(pattern[:, :, :3], 960, 540)) >= 40


def test_preview_is_small_and_bgr() -> None:
    pattern = cv2.cvtColor(make_pattern(960, 540, seed=8), cv2.COLOR_BGR2BGRA)
    preview = preview_of(pattern, 320)
    assert preview.shape == (180, 320, 3) and preview.flags.c_contiguous
    assert psnr(preview, shrink(pattern[:, :, :3], 320, 180)) >= 25
    assert preview_of(pattern[:100, :200], 320).shape == (100, 200, 3)  # never upscaled


def test_bgra_is_encoded_as_it_is_and_makes_the_jpeg_of_its_bgr() -> None:
    bgra = cv2.cvtColor(make_pattern(960, 540, seed=5), cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = 7  # X leaves the fourth byte undefined: it must not matter
    direct = encode_resized(bgra, 80)
    via_bgr = encode_resized(to_bgr(bgra), 80)
    assert direct.data == via_bgr.data and (direct.width, direct.height) == (960, 540)
    grey = encode_resized(cv2.cvtColor(bgra, cv2.COLOR_BGRA2GRAY), 80)
    assert decode_jpeg(grey.data).shape == (540, 960, 3)
