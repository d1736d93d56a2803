"""Issue 15's check as a user lives it: a window with known text on the Xvfb screen, shared with
`liveview headless --backend local`, and a question about it answered by quoting that text."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from liveview.bench.legibility_score import levenshtein
from liveview.bench.pages import SANS, WORDS
from liveview.capture import Region, ScreenSource
from liveview.server.reading import READ_BUDGET_ENV
from liveview.server.settings import AUDIO_PACING_ENV
from tests.support.waiting import wait_until

pytestmark = pytest.mark.x11


class TextWindow(QWidget):
    def __init__(self, lines: list[str]) -> None:
        # Above everything and past the window manager (openbox): the page the user shows.
        flags = (
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.X11BypassWindowManagerHint
        )
        super().__init__(None, flags)
        self.lines = lines
        self.setGeometry(0, 0, 1920, 1080)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(SANS)
        font.setPixelSize(40)
        painter.setFont(font)
        painter.setPen(QColor("#000000"))
        for i, line in enumerate(self.lines):
            painter.drawText(120, 200 + 90 * i, line)
        painter.end()


def _screen_is_white(window: QWidget) -> bool:
    """The page really is on the screen (grabbed), not only shown to Qt."""
    QApplication.processEvents()
    with ScreenSource(region=Region(0, 0, 1920, 60)) as source:
        return bool(source.read().image[..., :3].mean() > 250)


def test_a_window_on_the_screen_is_read_and_quoted_by_headless() -> None:
    rng = random.Random(random.SystemRandom().randrange(10**9))
    lines = [" ".join(rng.choice(WORDS) for _ in range(4)) for _ in range(3)]
    window = TextWindow(lines)
    window.show()
    assert wait_until(lambda: _screen_is_white(window), step=window.repaint), "never drawn"
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env[READ_BUDGET_ENV] = "120"  # a loaded test machine must not turn this into a speed test
    env[AUDIO_PACING_ENV] = "0.1"  # the quote is read from the transcript, spoken at 10x
    try:
        result = subprocess.run(
            [sys.executable, "-m", "liveview", "headless", "--backend", "local", "--source",
             "screen:1", "--text", "what does the screen say?", "--no-audio"],
            capture_output=True, text=True, timeout=240, env=env,
        )  # fmt: skip
    finally:
        window.close()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Local text recognition, not a language model" in out, out
    quoted = out.split('"')[1::2]
    for line in lines:
        assert any(levenshtein(q.lower(), line) <= 1 for q in quoted), (line, out)
    positions = [
        next(i for i, q in enumerate(quoted) if levenshtein(q.lower(), t) <= 1) for t in lines
    ]
    assert positions == sorted(positions), "quoted in reading order"
