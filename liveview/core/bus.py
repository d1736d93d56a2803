"""Where everything around a session is said once and heard by whoever cares: the controller's
events, audio and video changes, tool events. Views subscribe to the kinds they show."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")


class EventBus:
    def __init__(self) -> None:
        self._handlers: list[tuple[tuple[type, ...], Callable[[Any], None]]] = []

    def subscribe(self, handler: Callable[[Any], None], *kinds: type) -> None:
        """handler(event) for events of `kinds` (any event when none are given)."""
        self._handlers.append((kinds, handler))

    def on(self, kind: type[E], handler: Callable[[E], None]) -> None:
        """handler(event) for events of one kind, typed."""
        self._handlers.append(((kind,), handler))

    def unsubscribe(self, handler: Callable[[Any], None]) -> None:
        """Stop calling `handler` (a view being closed: it must not be called once deleted)."""
        self._handlers = [(k, h) for k, h in self._handlers if h != handler]

    def emit(self, event: object) -> None:
        for kinds, handler in list(self._handlers):
            if kinds and not isinstance(event, kinds):
                continue
            try:
                handler(event)
            except Exception:  # a broken view must not take the session down
                log.exception("a listener failed on %s", type(event).__name__)
