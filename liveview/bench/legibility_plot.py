"""The legibility bench's plot: OCR accuracy against bytes per frame, one colour per page, one
line per JPEG quality through the max sides, drawn with Qt (QPainter on a QImage, saved as PNG).

matplotlib is not a dependency; PySide6 is. Like bench/pages.py, this renders an artefact for a
benchmark and is never imported by the app's session code (the QtGui exception to DESIGN.md).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from liveview.bench.pages import qt_app

WIDTH, HEIGHT = 1400, 900
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 110, 260, 70, 90
COLOURS = {"terminal": "#2e7d32", "editor": "#1565c0", "article": "#c62828", "labels": "#6a1b9a"}
QUALITY_STYLE = {60: 1, 70: 2, 80: 3, 90: 4}  # line width by quality


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    qt_app()
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    x0, x1 = MARGIN_L, WIDTH - MARGIN_R
    y0, y1 = HEIGHT - MARGIN_B, MARGIN_T
    b_lo = math.log10(max(1, min(r["bytes"] for r in rows)) * 0.8)
    b_hi = math.log10(max(r["bytes"] for r in rows) * 1.2)

    def px(nbytes: float, accuracy: float) -> QPointF:
        fx = (math.log10(max(nbytes, 1)) - b_lo) / (b_hi - b_lo)
        return QPointF(x0 + fx * (x1 - x0), y0 - accuracy * (y0 - y1))

    font = QFont("DejaVu Sans")
    font.setPixelSize(15)
    p.setFont(font)
    grid, ink = QPen(QColor("#cccccc"), 1), QPen(QColor("#333333"), 1)
    for tick in range(0, 101, 10):
        y = y0 - tick / 100 * (y0 - y1)
        p.setPen(grid)
        p.drawLine(QPointF(x0, y), QPointF(x1, y))
        p.setPen(ink)
        p.drawText(QRectF(10, y - 10, x0 - 20, 20), Qt.AlignmentFlag.AlignRight, f"{tick} %")
    for exp in range(math.floor(b_lo), math.ceil(b_hi) + 1):
        for mult in (1, 2, 5):
            value = mult * 10**exp
            if b_lo <= math.log10(value) <= b_hi:
                x = px(value, 0).x()
                p.setPen(grid)
                p.drawLine(QPointF(x, y0), QPointF(x, y1))
                p.setPen(ink)
                label = f"{value / 1000:g} kB"
                p.drawText(QRectF(x - 40, y0 + 8, 80, 20), Qt.AlignmentFlag.AlignCenter, label)
    p.setPen(QPen(QColor("black"), 2))
    p.drawRect(QRectF(x0, y1, x1 - x0, y0 - y1))
    title = QFont("DejaVu Sans")
    title.setPixelSize(20)
    title.setBold(True)
    p.setFont(title)
    p.drawText(QRectF(0, 15, WIDTH, 30), Qt.AlignmentFlag.AlignCenter,
               "Text recognition accuracy (1 - CER) against JPEG bytes per frame")  # fmt: skip
    p.setFont(font)
    p.drawText(QRectF(x0, HEIGHT - 45, x1 - x0, 25), Qt.AlignmentFlag.AlignCenter,
               "bytes per frame (log scale); points: max side 640..1920; line width: JPEG "
               "quality 60..90")  # fmt: skip
    series: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        series[(r["page"], r["quality"])].append(r)
    for (page, quality), points in sorted(series.items()):
        colour = QColor(COLOURS.get(page, "#444444"))
        points.sort(key=lambda r: r["bytes"])
        p.setPen(QPen(colour, QUALITY_STYLE.get(quality, 2)))
        for a, b in itertools.pairwise(points):
            p.drawLine(px(a["bytes"], a["accuracy"]), px(b["bytes"], b["accuracy"]))
        p.setBrush(colour)
        for r in points:
            p.drawEllipse(px(r["bytes"], r["accuracy"]), 4, 4)
            if quality == 80:
                at = px(r["bytes"], r["accuracy"])
                p.drawText(QPointF(at.x() + 6, at.y() + 16), str(r["max_side"]))
    legend_y = MARGIN_T + 10
    for page, colour_name in COLOURS.items():
        if any(r["page"] == page for r in rows):
            p.setPen(QPen(QColor(colour_name), 4))
            p.drawLine(QPointF(x1 + 20, legend_y), QPointF(x1 + 60, legend_y))
            p.setPen(QColor("black"))
            p.drawText(QPointF(x1 + 70, legend_y + 5), page)
            legend_y += 28
    p.drawText(QPointF(x1 + 20, legend_y + 10), "labels on q80 points:")
    p.drawText(QPointF(x1 + 20, legend_y + 30), "max side in px")
    p.end()
    if not image.save(str(path)):
        raise OSError(f"could not write the plot to {path}")
