"""A managed application window in its own process, driven line by line on stdin.

It is a separate X client with its own pid, WM_CLASS and title, decorated by the window manager,
exactly like the application windows liveview lists, masks, pauses for or shares. It paints
`make_pattern(width, height, seed)` over its whole client area (regenerated on resize), so a
grab can be compared with what it drew.

    python -m tests.desktop.app_window --title T --geometry WxH+X+Y [--seed N] [--class C]

stdout: "ready <window id>" right after its first paint, then "ok" after each command:
    move X Y | resize W H | title TEXT | minimize | restore | raise | close
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.capture.patterns import make_pattern


class PatternWidget(QWidget):
    def __init__(self, seed: int, on_first_paint: Callable[[], None]) -> None:
        super().__init__()
        self._seed = seed
        self._on_first_paint: Callable[[], None] | None = on_first_paint
        self._image: np.ndarray | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:
        width, height = self.width(), self.height()
        if self._image is None or self._image.shape[:2] != (height, width):
            self._image = np.ascontiguousarray(make_pattern(width, height, self._seed))
        qimage = QImage(self._image.data, width, height, width * 3, QImage.Format.Format_BGR888)
        painter = QPainter(self)
        painter.drawImage(0, 0, qimage)
        painter.end()
        if self._on_first_paint is not None:
            # Said once the first picture is drawn: tests time "the window appeared" from it.
            QTimer.singleShot(0, self._on_first_paint)
            self._on_first_paint = None


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--title", required=True)
    parser.add_argument("--geometry", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--class", dest="wm_class", default="liveview-test-app")
    args = parser.parse_args()
    size, _, pos = args.geometry.partition("+")
    width, height = (int(v) for v in size.split("x"))
    x, y = (int(v) for v in pos.split("+"))

    app = QApplication([args.wm_class])
    app.setApplicationName(args.wm_class)  # WM_CLASS instance and class

    def announce() -> None:
        app.sync()
        _say(f"ready {int(widget.winId())}")

    widget = PatternWidget(args.seed, announce)
    widget.setWindowTitle(args.title)
    widget.setGeometry(x, y, width, height)
    widget.show()

    def command() -> None:
        line = sys.stdin.readline()
        if not line:  # the test went away
            app.quit()
            return
        verb, _, rest = line.strip().partition(" ")
        values = [int(v) for v in rest.split()] if verb in ("move", "resize") else []
        if verb == "move":
            widget.move(values[0], values[1])
        elif verb == "resize":
            widget.resize(values[0], values[1])
        elif verb == "title":
            widget.setWindowTitle(rest)
        elif verb == "minimize":
            widget.showMinimized()
        elif verb == "restore":
            widget.showNormal()
            widget.raise_()
            widget.activateWindow()
        elif verb == "raise":
            widget.raise_()
            widget.activateWindow()
        elif verb == "close":
            widget.close()
            app.processEvents()
            _say("ok")
            app.quit()
            return
        app.processEvents()
        app.sync()
        _say("ok")

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(command)

    app.exec()


if __name__ == "__main__":
    main()
