"""The one error of client-message parsing: what the service would close the connection with."""

from __future__ import annotations

from liveview.errors import RemoteProtocolError
from liveview.server import texts


class ClientProtocolError(RemoteProtocolError):
    """The client broke the protocol; the server closes with `code` and the service's `reason`."""

    def __init__(self, reason: str = texts.INVALID_ARGUMENT, code: int = 1007) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
