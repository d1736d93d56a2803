"""The WebSocket client of the Live protocol: endpoints and auth, outgoing lanes, the connection.

Open a `LiveConnection` on an `Endpoint` (gemini_endpoint, vertex_endpoint, custom_endpoint,
local_endpoint) with a setup message; it returns after setupComplete. Send through its lanes
(`send(message)` with a typed message of protocol/messages.py, never blocking), read
`events()`, and `close()` it. See client.py.
"""

from __future__ import annotations

from liveview.protocol.events import ProtocolErrorEvent
from liveview.transport.client import ConnectionStats, LiveConnection
from liveview.transport.endpoint import (
    Endpoint,
    custom_endpoint,
    gemini_endpoint,
    local_endpoint,
    vertex_endpoint,
)
from liveview.transport.errors import SendBacklogError, StaleHandleError
from liveview.transport.lanes import LaneCounters, OutgoingLanes

__all__ = [
    "ConnectionStats",
    "Endpoint",
    "LaneCounters",
    "LiveConnection",
    "OutgoingLanes",
    "ProtocolErrorEvent",
    "SendBacklogError",
    "StaleHandleError",
    "custom_endpoint",
    "gemini_endpoint",
    "local_endpoint",
    "vertex_endpoint",
]
