"""Waiting for something to become true, the one way the tests do it: by polling a condition
(never a bare sleep that hopes the moment has come)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def wait_until(
    predicate: Callable[[], object],
    timeout_s: float = 10.0,
    step: Callable[[], None] | None = None,
    step_s: float = 0.02,
) -> bool:
    """Blocking: True as soon as `predicate()` is; False after `timeout_s`. `step` runs before
    each look (e.g. to repaint a window or pump Qt events)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if step is not None:
            step()
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)


async def eventually(
    predicate: Callable[[], object], timeout_s: float = 15.0, what: str = ""
) -> None:
    """On the running loop (asyncio, qasync): return once `predicate()` is true; fail the test
    after `timeout_s`, saying what was awaited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or predicate}")
        await asyncio.sleep(0.01)
