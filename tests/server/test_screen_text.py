"""Reading order, question parsing, line selection, the zoom decision and frame checks: pure."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from liveview.bench.pages import WORDS
from liveview.server import replies, screen_text
from liveview.server.frame_check import BadFrame, check_frame, decode_checked, jpeg_size
from liveview.server.layout import Line, arrange, reading_order
from liveview.server.ocr_engine import Box
from liveview.server.reading import ReadAheadPolicy, Reading


def words(rng: random.Random, n: int = 3) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def test_two_columns_under_a_title_are_read_column_by_column() -> None:
    rng = random.Random(random.SystemRandom().randrange(10**9))
    title = (Box(100, 20, 1200, 40), words(rng), 0.99)
    left = [(Box(100, 100 + 30 * i, 500, 20), words(rng), 0.99) for i in range(8)]
    right = [(Box(700, 100 + 30 * i, 500, 20), words(rng), 0.99) for i in range(8)]
    pieces = [*right, title, *left]
    rng.shuffle(pieces)
    lines = arrange(pieces)
    assert [ln.text for ln in lines] == [title[1]] + [t for _b, t, _c in left + right]


def test_pieces_of_one_row_join_and_far_ones_stay_apart() -> None:
    near = [(Box(10, 10, 50, 20), "hello", 0.9), (Box(70, 12, 60, 18), "world", 0.8)]
    far = (Box(900, 10, 40, 20), "far", 1.0)
    lines = arrange([far, *near])
    assert [ln.text for ln in lines] == ["hello world", "far"]
    assert lines[0].box == Box(10, 10, 120, 20)
    assert lines[0].confidence == pytest.approx((0.9 * 5 + 0.8 * 5) / 10)


@pytest.mark.parametrize(
    ("pieces", "line"),
    [
        # Read off RapidOCR's boxes for the self-test's line (seed 14): the first box took the
        # "7" of the next one, which was read whole as well.
        (
            [(Box(8, 21, 415, 46), "build period remote second 7"), (Box(399, 21, 67, 40), "767")],
            "build period remote second 767",
        ),
        # (seed 65): the second box began on the tail of "input", read again as "it".
        (
            [
                (Box(10, 22, 90, 46), "input"),
                (Box(70, 16, 473, 58), "it dynamic dynamic memory 964"),
            ],
            "input dynamic dynamic memory 964",
        ),
        # Boxes that merely touch, or overlap by less than a quarter of a text height: no token
        # is dropped, even a short one.
        ([(Box(10, 10, 100, 40), "cost of"), (Box(112, 10, 30, 40), "a")], "cost of a"),
        ([(Box(10, 10, 100, 40), "cost of"), (Box(104, 10, 30, 40), "a b")], "cost of a b"),
        # An overlap that no single token fits in: both texts are kept whole.
        (
            [(Box(0, 0, 300, 40), "alpha beta"), (Box(240, 0, 300, 40), "gamma delta")],
            "alpha beta gamma delta",
        ),
    ],
)
def test_a_token_read_twice_where_two_boxes_overlap_is_said_once(
    pieces: list[tuple[Box, str]], line: str
) -> None:
    [joined] = arrange([(box, text, 1.0) for box, text in pieces])
    assert joined.text == line


def test_tight_lines_are_rows_even_when_their_boxes_overlap() -> None:
    boxes = [Box(10, 10 + 18 * i, 300 - i, 22) for i in range(5)]  # 4 px overlaps
    given = boxes[::-1]
    assert [[given[i] for i in row] for row in reading_order(given)] == [[b] for b in boxes]


@pytest.mark.parametrize(
    ("text", "region", "about"),
    [
        ("what's in the bottom right?", "bottom right", True),
        ("read the text in the upper-left corner", "top left", True),
        ("what is at the top", "top", True),
        ("what does the left side say", "left", True),
        ("what does it say", None, True),
        ("is that right?", None, False),
        ("what did I say", None, False),
        ("what do you see", None, False),
    ],
)
def test_questions_about_the_screen_and_their_regions(
    text: str, region: str | None, about: bool
) -> None:
    question = screen_text.parse_question(text)
    assert (question.region, question.about_screen) == (region, about)


def test_error_finds_its_synonyms_first_and_the_rest_in_order() -> None:
    texts = ["all good here", "Traceback (most recent call last):", "step two",
             "ValueError: bad thing", "build FAILED", "done"]  # fmt: skip
    lines = tuple(Line(t, Box(0, 30 * i, 200, 20), 0.99) for i, t in enumerate(texts))
    reading = Reading("complete", lines, 960, 540, len(lines))
    question = screen_text.parse_question("read the error")
    answer = replies.screen_answer(reading, question)
    assert answer.index('"Traceback') < answer.index('"ValueError') < answer.index('"build FAILED')
    assert answer.index('"build FAILED') < answer.index('"all good here"') < answer.index('"done"')
    assert "Local text recognition, not a language model" in answer


def test_more_lines_than_can_be_said_are_counted() -> None:
    lines = tuple(Line(f"line {i}", Box(0, 30 * i, 200, 20), 0.99) for i in range(20))
    answer = replies.screen_answer(
        Reading("complete", lines, 960, 700, 20), screen_text.parse_question("what does it say")
    )
    assert answer.count('"line ') == replies.QUOTED_LINES_MAX
    assert f"{20 - replies.QUOTED_LINES_MAX} more lines not read out" in answer


def _reading(lines: list[Line]) -> Reading:
    return Reading("complete", tuple(lines), 960, 540, len(lines))


def test_zoom_covers_the_small_text_and_not_the_big() -> None:
    big = Line("Big Title", Box(40, 20, 300, 30), 0.99)
    small = [Line("tiny words", Box(100, 500 + 6 * i, 150, 5), 0.6) for i in range(3)]
    question = screen_text.parse_question("read the small text")
    x, y, w, h = screen_text.zoom_region(_reading([big, *small]), question) or (0, 0, 0, 0)
    assert x <= 100 and y <= 500 and x + w >= 250 and y + h >= 517
    assert y > 50, "the legible title is left out"
    assert screen_text.zoom_region(_reading([big]), question) is None


def test_a_named_region_with_nothing_read_is_zoomed_whole() -> None:
    big = Line("Big Title", Box(40, 20, 300, 30), 0.99)
    question = screen_text.parse_question("read the text at the bottom")
    assert screen_text.zoom_region(_reading([big]), question) == (0, 356, 960, 184)
    half = Reading("complete", (big,), 480, 270, 1, reduced=2)  # decoded at half size
    assert screen_text.zoom_region(half, question) == (0, 356, 960, 184)


def _jpeg(width: int, height: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.zeros((height, width, 3), np.uint8))
    assert ok
    return buf.tobytes()


def test_frame_checks() -> None:
    assert jpeg_size(_jpeg(321, 123)) == (321, 123)
    with pytest.raises(BadFrame, match="empty"):
        check_frame(b"")
    with pytest.raises(BadFrame, match="not a JPEG"):
        check_frame(b"GIF89a....")
    image, factor = decode_checked(_jpeg(4000, 100), max_side=2048)
    assert factor == 2 and image.shape[:2] == (50, 2000)


def test_read_ahead_waits_for_a_still_picture_and_paces_a_changing_one() -> None:
    policy = ReadAheadPolicy(settle_s=2.0, interval_s=5.0)
    assert policy.delay(frame_at=10.0, now=10.0) == 0.0  # the first frame: at once
    policy.mark(10.0)
    assert policy.delay(frame_at=11.0, now=11.0) == pytest.approx(2.0)  # still for 2 s
    assert policy.delay(frame_at=14.5, now=14.6) == pytest.approx(0.4)  # paced: 10 + 5
