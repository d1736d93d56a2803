"""Transport errors that refine the tree in liveview/errors.py (candidates to move there)."""

from __future__ import annotations

from liveview.errors import ConnectionFailedError, ServiceError


class StaleHandleError(ServiceError):
    """The resumption handle is no longer valid ("session not found"): start a fresh session.

    Deliberately not a TransientServiceError: retrying with the same handle fails the same way,
    so a reconnect loop must drop the handle before it tries again.
    """


class SendBacklogError(ConnectionFailedError):
    """Messages that are never dropped (text, tool responses) piled up: the uplink is stalled."""
