"""Python's cycle collector runs on the GUI thread only.

The collector runs on whichever thread happens to allocate when a generation fills up: here that
is often a worker (asyncio.to_thread, the capture and audio threads). A Qt object freed inside a
cycle is then deleted on that worker, under the GUI thread's feet, and Qt crashes in its event
loop at a random later moment. So automatic collection is off while the window runs, and the GUI
thread collects on a timer (reference counting still frees everything that is not a cycle).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_INTERVAL_MS = 1000  # a young-generation pass: well under a millisecond
FULL_EVERY = 30  # and a full one every 30 s


def collect_on_gui_thread(parent: QObject) -> QTimer:
    """Start collecting on `parent`'s (the GUI) thread; the timer lives as long as `parent`."""
    gc.disable()
    timer = QTimer(parent)
    timer.setInterval(COLLECT_INTERVAL_MS)
    ticks = 0

    def collect() -> None:
        nonlocal ticks
        ticks += 1
        gc.collect(2 if ticks % FULL_EVERY == 0 else 0)

    timer.timeout.connect(collect)
    timer.start()
    return timer
