"""The model's function calls on one connection: each answered by its own task, owned here,
cancelled on toolCallCancellation and when the connection ends, and awaited.

A cancelled call is neither answered nor acted on (the handlers send their pictures only after
their last await). A NON_BLOCKING call's answer carries the scheduling that fits the function
(core/tool_declarations.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from liveview.core import events as core
from liveview.core.tool_declarations import scheduling_for
from liveview.errors import LiveViewError
from liveview.protocol import events as ev
from liveview.protocol import messages as msg

log = logging.getLogger(__name__)

ToolHandler = Callable[[ev.FunctionCall], Awaitable[dict[str, Any]]]


class ToolRunner:
    def __init__(
        self,
        handler: ToolHandler | None,
        *,
        answer: Callable[[msg.FunctionResponse], bool],
        is_non_blocking: Callable[[str], bool],
        emit: Callable[[object], None],
    ) -> None:
        self._handler = handler
        self._answer = answer  # sends the response; False when the connection is gone
        self._is_non_blocking = is_non_blocking
        self._emit = emit
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, calls: tuple[ev.FunctionCall, ...]) -> None:
        for call in calls:
            task = asyncio.create_task(self._answer_call(call), name=f"tool-{call.name}")
            self._tasks[call.id] = task
            task.add_done_callback(self._forget(call.id))

    def _forget(self, call_id: str) -> Callable[[asyncio.Task[None]], None]:
        def done(_task: asyncio.Task[None]) -> None:
            self._tasks.pop(call_id, None)

        return done

    def cancel(self, ids: tuple[str, ...]) -> None:
        """toolCallCancellation: these calls must not be answered any more."""
        for call_id in ids:
            task = self._tasks.get(call_id)
            if task is not None:
                task.cancel()

    async def close(self) -> None:
        """The connection ended: the next one does not accept answers to these calls."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _answer_call(self, call: ev.FunctionCall) -> None:
        try:
            if self._handler is None:
                result: dict[str, Any] = {"error": f"liveview has no function named {call.name}"}
            else:
                result = await self._handler(call)
        except LiveViewError as exc:
            result = {"error": exc.user_message}
        except Exception as exc:  # a broken handler must not take the session down
            log.exception("the handler of %s failed", call.name)
            result = {"error": f"{call.name} failed inside liveview ({type(exc).__name__})."}
        # NON_BLOCKING calls: the answer says when the model should take it in.
        non_blocking = self._is_non_blocking(call.name)
        scheduling = scheduling_for(call.name, result) if non_blocking else None
        response = msg.FunctionResponse(call.id, call.name, result, scheduling=scheduling)
        with contextlib.suppress(LiveViewError):
            if self._answer(response):
                self._emit(core.ToolAnswered(call.id, call.name, result))
