"""Run an async test on looptime's event loop: its clock jumps ahead whenever nothing is due,
so a 45 s backoff costs nothing and no test waits on the machine's real time.

looptime's pytest plugin is switched off (pyproject addopts): it asks the loop policy for a
loop in every test, which leaves an unclosed loop behind in plain sync tests. The loop made
here is closed by the test that made it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import looptime

T = TypeVar("T")


def on_fake_clock(test: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> T:
        loop = looptime.new_event_loop(start=0.0, _enabled=True)
        try:
            return loop.run_until_complete(test(*args, **kwargs))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    return run
