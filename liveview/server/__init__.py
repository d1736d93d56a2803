"""The local Live server: the embedded default backend and the test peer for everything.

It speaks the Gemini Live wire protocol (binary frames, camelCase, setup first, the service's
close codes and reasons) and answers from honest local analysis of what it receives. It imports
`liveview.protocol` at most, never transport/core/ui, so it cannot share the client's mistakes.
"""

from __future__ import annotations

from liveview.server.app import PATHS, LocalLiveServer, running_in_thread
from liveview.server.cli import main
from liveview.server.faults import Fault, FaultSwitches, parse_fault_spec
from liveview.server.records import ConnectionInfo
from liveview.server.settings import ServerSettings

__all__ = [
    "PATHS",
    "ConnectionInfo",
    "Fault",
    "FaultSwitches",
    "LocalLiveServer",
    "ServerSettings",
    "main",
    "parse_fault_spec",
    "running_in_thread",
]
