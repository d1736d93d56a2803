"""The function calls one connection has issued and not yet seen answered.

BLOCKING calls (the model waits): the reply that made the call awaits its future, and a barge-in
that cancels that reply cancels the call (toolCallCancellation). NON_BLOCKING calls (3.8's
default): the reply finished without waiting; the answer, when it comes, is handed back with
its `scheduling` so the replier can speak it when idle, cut in, or keep it as silent context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from liveview.server.inbound import FunctionDecl, FunctionResult
from liveview.server.tools import ToolExchange, ToolRequest

# The picture that came with an answer: received already, or the next frame to come.
FrameSource = bytes | asyncio.Future[bytes]
# (the answer, its picture) for a blocking call's waiter.
Answer = tuple[FunctionResult, FrameSource]


@dataclass
class PendingCall:
    exchange: ToolExchange
    request: ToolRequest
    decl: FunctionDecl
    blocking: bool
    future: asyncio.Future[Answer] | None = None  # blocking calls only
    frames_at_issue: int = 0  # frames received when the call was sent
    picture_counted: bool = False  # its picture is no longer awaited (FrameTracker)


class PendingCalls:
    def __init__(self, frames_received: Callable[[], int]) -> None:
        self._frames_received = frames_received
        self._calls: dict[str, PendingCall] = {}
        self._finished: set[str] = set()

    def issue(self, call: PendingCall) -> None:
        call.frames_at_issue = self._frames_received()
        if call.blocking:
            call.future = asyncio.get_running_loop().create_future()
        self._calls[call.exchange.call_id] = call

    def finish(self, call_id: str) -> None:
        self._calls.pop(call_id, None)
        self._finished.add(call_id)

    def take(self, result: FunctionResult) -> PendingCall | None:
        """The call `result` answers (None for an id never issued, or one already finished: a
        late answer to a cancelled call). It stays pending while willContinue says more
        answers follow."""
        call = self._calls.get(result.id)
        if call is not None and not result.will_continue:
            self.finish(result.id)
        return call

    def known(self, call_id: str) -> bool:
        return call_id in self._calls or call_id in self._finished

    def frames_since(self, call: PendingCall) -> int:
        return self._frames_received() - call.frames_at_issue


@dataclass(frozen=True)
class ToolResultTurn:
    """A turn the model takes by itself to speak a NON_BLOCKING call's answer."""

    call: PendingCall
    result: FunctionResult
    frame: FrameSource  # the picture that came with the answer
