"""Realistic 1920x1080 screens with known text, drawn with real fonts (Qt's QPainter on an
offscreen QImage): a terminal, a code editor, a web article and a dense settings dialog.

The text is drawn from word lists with a seeded generator, so every seed gives different text
(no reply can be canned) and the same seed the same page. Every string drawn is recorded with its
box and pixel size: the legibility bench and the tests compare what text recognition read with it.

Layering note: DESIGN.md keeps QtGui in ui/ only. This module is the one exception outside ui/
and the self-test: it *renders test pages* (a real font renderer is the point) and is imported
only by benches, tests and `--self-test`, never by the app's session code.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PAGE_SIZE = (1920, 1080)
MONO, SANS, SERIF = "DejaVu Sans Mono", "DejaVu Sans", "DejaVu Serif"

_WORD_TEXT = (
    "able about account active address after again agent allow alpha answer apply archive "
    "argument array audio backup balance batch before begin below binary block border branch "
    "buffer build button cache camera canvas capture change channel check child class client "
    "clock close cloud cluster column commit config connect console contact content context "
    "copy count create cursor custom daily data debug default delete delta deploy detail device "
    "dialog digest direct display domain double draft driver dynamic editor email enable engine "
    "entry event export factor family field filter final folder follow format forward frame "
    "garden general global graph group handle header health height hidden history holder image "
    "import index input insert install invoice issue item journal kernel label layer layout "
    "legacy level library limit linear listen local logger lookup manual market master media "
    "member memory merge method metric mirror mobile model module monitor native network "
    "number object offset option order output owner package packet panel parent parser patch "
    "pattern payload period phone pixel player plugin pointer policy portal preview primary "
    "profile project prompt proxy public queue random range reader record region release "
    "remote render report request reset result review router runner sample schema screen "
    "script search second secret select sender server session shadow signal simple socket "
    "source stage status stream string studio style subject summary switch symbol system table "
    "target task template tenant thread ticket timer token toolbar topic trace track travel "
    "update upload user value vector version video viewer volume window worker yellow zone"
)
WORDS = tuple(_WORD_TEXT.split())
ERRORS = ("ValueError", "KeyError", "TypeError", "RuntimeError", "FileNotFoundError",
          "ConnectionError", "PermissionError", "TimeoutError")  # fmt: skip


@dataclass(frozen=True)
class TextItem:
    """One string drawn on the page: its box in page pixels, its pixel size and its row."""

    text: str
    x: int
    y: int
    width: int
    height: int
    size_px: int
    row: str  # items of one row of one panel share this key


@dataclass(frozen=True)
class Page:
    name: str
    image: np.ndarray  # BGR, 1080x1920
    items: tuple[TextItem, ...]
    small_region: tuple[int, int, int, int]  # x, y, w, h of its smallest text (for the zoom)
    seed: int


def qt_app() -> object:
    """The QGuiApplication fonts need (an existing one is reused; offscreen if none is set)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["liveview-pages"])
    return app


class Canvas:
    """A QImage and a QPainter that record every string they draw."""

    def __init__(self, background: str, size: tuple[int, int] = PAGE_SIZE) -> None:
        from PySide6.QtGui import QColor, QImage, QPainter

        qt_app()
        self.image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        self.image.fill(QColor(background))
        self.painter = QPainter(self.image)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.items: list[TextItem] = []

    def rect(self, x: int, y: int, w: int, h: int, colour: str) -> None:
        from PySide6.QtGui import QColor

        self.painter.fillRect(x, y, w, h, QColor(colour))

    def text(self, x: int, y: int, text: str, size_px: int, colour: str, family: str = SANS,
             *, bold: bool = False, row: str | None = None) -> int:  # fmt: skip
        """Draw `text` with its top-left at (x, y); returns its width in pixels."""
        from PySide6.QtGui import QColor, QFont, QFontMetrics

        font = QFont(family)
        font.setPixelSize(size_px)
        font.setBold(bold)
        self.painter.setFont(font)
        self.painter.setPen(QColor(colour))
        metrics = QFontMetrics(font)
        self.painter.drawText(x, y + metrics.ascent(), text)
        width = metrics.horizontalAdvance(text)
        key = row if row is not None else f"{x // 400}:{y}"
        self.items.append(TextItem(text, x, y, width, metrics.height(), size_px, key))
        return width

    def finish(self) -> np.ndarray:
        self.painter.end()
        width, height = self.image.width(), self.image.height()
        bits = self.image.constBits()
        raw = np.frombuffer(bits, np.uint8).reshape(height, self.image.bytesPerLine() // 4, 4)
        return np.ascontiguousarray(raw[:, :width, :3])


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _ident(rng: random.Random) -> str:
    return "_".join(rng.sample(WORDS, 2))


def _sentence(rng: random.Random, lo: int = 6, hi: int = 14) -> str:
    text = _words(rng, rng.randint(lo, hi))
    return text[0].upper() + text[1:] + "."


def terminal(seed: int) -> Page:
    rng = random.Random(seed)
    c = Canvas("#1e1e1e")
    c.rect(0, 0, 1920, 30, "#333333")
    c.text(820, 7, f"{rng.choice(WORDS)}@{rng.choice(WORDS)}: ~/{_ident(rng)}", 14, "#dddddd")
    y, size, step = 44, 16, 22
    user, host = rng.choice(WORDS), rng.choice(WORDS)
    while y < 1000:
        project = _ident(rng)
        command = f"python -m {project} --{rng.choice(WORDS)} {rng.randint(1, 999)}"
        c.text(12, y, f"{user}@{host}:~/{project}$ {command}", size, "#8ae234", MONO)
        y += step
        for _ in range(rng.randint(2, 5)):
            if y >= 1000:
                break
            c.text(12, y, f"{_words(rng, rng.randint(4, 9))} {rng.randint(0, 99999)}", size,
                   "#d3d7cf", MONO)  # fmt: skip
            y += step
        if rng.random() < 0.5 and y < 930:
            c.text(12, y, "Traceback (most recent call last):", size, "#ef2929", MONO)
            c.text(12, y + step, f'  File "{_ident(rng)}.py", line {rng.randint(2, 400)}',
                   size, "#d3d7cf", MONO)  # fmt: skip
            c.text(12, y + 2 * step, f"{rng.choice(ERRORS)}: {_words(rng, 5)}", size,
                   "#ef2929", MONO)  # fmt: skip
            y += 3 * step
    c.rect(0, 1056, 1920, 24, "#2e3436")
    c.text(8, 1060, f"[{rng.randint(0, 9)}] {_words(rng, 6)}   {rng.randint(10, 23)}:"
           f"{rng.randint(10, 59)}", 12, "#babdb6", MONO)  # fmt: skip
    return Page("terminal", c.finish(), tuple(c.items), (0, 1052, 960, 28), seed)


def editor(seed: int) -> Page:
    rng = random.Random(seed)
    c = Canvas("#1f1f1f")
    c.rect(0, 0, 1920, 34, "#2b2b2b")
    c.rect(0, 34, 300, 1022, "#252526")
    x = 310
    for _ in range(4):
        x += c.text(x, 10, f"{_ident(rng)}.py", 13, "#cccccc", row="tabs") + 40
    y = 46
    c.text(12, y, rng.choice(WORDS).upper(), 12, "#bbbbbb", bold=True, row=f"tree:{y}")
    for _ in range(38):
        y += 24
        depth = rng.randint(0, 2)
        name = f"{_ident(rng)}.{rng.choice(('py', 'md', 'toml', 'json'))}"
        c.text(20 + 14 * depth, y, name, 13, "#cccccc", row=f"tree:{y}")
    y = 48
    for number in range(1, 46):
        c.text(312, y, f"{number:>3}", 14, "#858585", MONO, row=f"num:{y}")
        indent = rng.choice((0, 4, 4, 8, 8, 12))
        kind = rng.random()
        if kind < 0.15:
            code = f"def {_ident(rng)}({rng.choice(WORDS)}, {rng.choice(WORDS)}):"
        elif kind < 0.3:
            code = f"# {_words(rng, rng.randint(4, 8))}"
        elif kind < 0.4:
            code = f"return {rng.choice(WORDS)}.{_ident(rng)}({rng.randint(0, 99)})"
        else:
            code = f"{_ident(rng)} = {rng.choice(WORDS)}.{rng.choice(WORDS)}({_words(rng, 1)!r})"
        c.text(372 + indent * 8, y, code, 14, "#d4d4d4", MONO, row=f"code:{y}")
        y += 22
    c.rect(0, 1056, 1920, 24, "#007acc")
    c.text(10, 1060, f"{rng.choice(WORDS)} main  Ln {rng.randint(1, 45)}, Col {rng.randint(1, 80)}"
           f"  Spaces: 4  UTF-8  Python {rng.randint(10, 13)}", 12, "#ffffff")  # fmt: skip
    return Page("editor", c.finish(), tuple(c.items), (0, 40, 300, 940), seed)


def article(seed: int) -> Page:
    rng = random.Random(seed)
    c = Canvas("#ffffff")
    c.rect(0, 0, 1920, 56, "#f3f3f3")
    x = 200
    c.text(x, 16, rng.choice(WORDS).capitalize() + " News", 22, "#111111", bold=True, row="nav")
    x += 320
    for _ in range(6):
        x += c.text(x, 20, rng.choice(WORDS).capitalize(), 15, "#333333", row="nav") + 36
    c.text(200, 96, _sentence(rng, 5, 7)[:-1], 36, "#111111", SERIF, bold=True)
    c.text(200, 150, f"By {rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()}  "
           f"{rng.randint(1, 28)} March 20{rng.randint(10, 26)}", 13, "#666666")  # fmt: skip
    y = 196
    while y < 1000:
        for _ in range(rng.randint(3, 5)):
            if y >= 1010:
                break
            line = _words(rng, rng.randint(10, 12))
            c.text(200, y, line, 17, "#222222", SERIF)
            y += 27
        y += 18
    c.text(1300, 200, "Related", 18, "#111111", bold=True)
    y = 240
    for _ in range(14):
        c.text(1300, y, _words(rng, rng.randint(3, 5)).capitalize(), 13, "#1a5fb4")
        c.text(1300, y + 20, f"{rng.randint(2, 59)} min read", 11, "#777777")
        y += 52
    return Page("article", c.finish(), tuple(c.items), (1290, 230, 420, 730), seed)


def labels(seed: int) -> Page:
    rng = random.Random(seed)
    c = Canvas("#ececec")
    c.rect(0, 0, 1920, 28, "#dcdcdc")
    x = 10
    for _ in range(8):
        x += c.text(x, 7, rng.choice(WORDS).capitalize(), 13, "#222222", row="menu") + 24
    for column, size in enumerate((11, 12, 13, 14)):
        x0 = 40 + column * 470
        c.text(x0, 50, f"{rng.choice(WORDS).capitalize()} settings", size + 2, "#111111",
               bold=True, row=f"c{column}:head")  # fmt: skip
        y = 84
        while y < 1020:
            key = f"c{column}:{y}"
            c.text(x0, y, f"{_words(rng, 2).capitalize()}:", size, "#333333", row=key)
            amount = f"{rng.randint(0, 9999)} {rng.choice(('ms', 'px', 'kB', '%'))}"
            switch = rng.choice(("On", "Off", "Auto"))
            value = rng.choice((amount, _ident(rng), switch, _words(rng, 2)))
            c.text(x0 + 210, y, value, size, "#000000", row=key)
            y += size + 9
    return Page("labels", c.finish(), tuple(c.items), (30, 40, 470, 1000), seed)


PAGES: dict[str, Callable[[int], Page]] = {
    "terminal": terminal, "editor": editor, "article": article, "labels": labels,
}  # fmt: skip


def render(name: str, seed: int) -> Page:
    return PAGES[name](seed)
