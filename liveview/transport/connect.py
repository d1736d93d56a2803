"""Opening the WebSocket, and every way that can fail, as errors a user can act on.

websockets logs request headers at DEBUG level (the API key among them); the logger handed to it
redacts the endpoint's secrets from every line before it is emitted.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from liveview import __version__
from liveview.errors import (
    ConfigError,
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    TransientServiceError,
)
from liveview.protocol.close_codes import CloseKind, CloseVerdict, classify_http_status
from liveview.transport.endpoint import Endpoint
from liveview.transport.errors import StaleHandleError

OPEN_TIMEOUT_S = 10.0
KEEPALIVE_INTERVAL_S = 20.0
KEEPALIVE_TIMEOUT_S = 20.0
CLOSE_TIMEOUT_S = 2.0  # how long close() waits for the server's close frame
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # replies carry ~200 ms audio chunks; 16 MiB is generous
USER_AGENT = f"liveview/{__version__}"


class RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Formats each record itself and replaces the endpoint's secrets before logging it."""

    def __init__(self, logger: logging.Logger, endpoint: Endpoint) -> None:
        super().__init__(logger, {})
        self._endpoint = endpoint

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        kwargs.setdefault("stacklevel", 2)
        self.logger.log(level, self._endpoint.redact(text), **kwargs)


def verdict_error(verdict: CloseVerdict, *, code: int | None, reason: str) -> LiveViewError:
    """The exception for a classified close or refused upgrade."""
    if verdict.kind is CloseKind.FATAL:
        return FatalServiceError(verdict.message, code=code, reason=reason, setting=verdict.setting)
    if verdict.kind is CloseKind.STALE_HANDLE:
        return StaleHandleError(verdict.message, code=code, reason=reason)
    return TransientServiceError(verdict.message, code=code, reason=reason)


def _http_error(endpoint: Endpoint, exc: InvalidStatus) -> LiveViewError:
    status = exc.response.status_code
    body = endpoint.redact((exc.response.body or b"").decode("utf-8", "replace"))
    if status < 400:
        return ConnectionFailedError(
            f"{endpoint.description} answered HTTP {status} instead of accepting a WebSocket: "
            "is this URL a Live endpoint?"
        )
    return verdict_error(classify_http_status(status, body), code=None, reason=f"HTTP {status}")


def _os_error(endpoint: Endpoint, exc: OSError, open_timeout_s: float | None) -> LiveViewError:
    desc = endpoint.description
    if isinstance(exc, TimeoutError):
        return ConnectionFailedError(
            f"Could not connect to {desc} within {open_timeout_s:g} s. Check your network "
            "connection and the endpoint address."
        )
    if isinstance(exc, socket.gaierror):
        return ConnectionFailedError(
            f"Could not find the host of {desc} (name lookup failed). Check the address and "
            "your network connection."
        )
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionFailedError(
            f"{desc} refused the connection: nothing is listening at that address. Is the "
            "server running, and is the port right?"
        )
    if isinstance(exc, ssl.SSLError):
        return ConnectionFailedError(
            f"The secure connection to {desc} failed ({endpoint.redact(str(exc))}). Check the "
            "system clock and any proxy or antivirus that intercepts TLS."
        )
    return ConnectionFailedError(
        f"Could not connect to {desc}: {endpoint.redact(exc.strerror or str(exc))}. Check your "
        "network connection."
    )


async def connect_websocket(
    endpoint: Endpoint,
    *,
    open_timeout_s: float | None,
    keepalive_interval_s: float | None,
    keepalive_timeout_s: float | None,
    max_size: int,
) -> ClientConnection:
    """Open the socket (TCP, TLS, HTTP upgrade) or raise one liveview error."""
    options: Mapping[str, Any] = {
        "additional_headers": list(endpoint.headers),
        # JPEG and PCM do not deflate; deflate made a 70 kB frame 15x slower (DESIGN.md).
        "compression": None,
        "open_timeout": open_timeout_s,
        "ping_interval": keepalive_interval_s,
        "ping_timeout": keepalive_timeout_s,
        "close_timeout": CLOSE_TIMEOUT_S,
        "max_size": max_size,
        # A loopback server must never be reached through an HTTP proxy from the environment.
        "proxy": None if endpoint.is_loopback else True,
        "user_agent_header": USER_AGENT,
        "logger": RedactingLogger(logging.getLogger("websockets.client"), endpoint),
    }
    try:
        return await connect(endpoint.url, **options)
    except InvalidStatus as exc:
        raise _http_error(endpoint, exc) from None
    except InvalidURI:
        raise ConfigError(
            f"The URL of {endpoint.description} is not a valid WebSocket URL."
        ) from None
    except InvalidHandshake as exc:
        raise ConnectionFailedError(
            f"{endpoint.description} did not answer as a Live WebSocket server "
            f"({endpoint.redact(str(exc))}). Check the endpoint URL."
        ) from None
    except OSError as exc:  # TimeoutError, refused, DNS, TLS, unreachable
        raise _os_error(endpoint, exc, open_timeout_s) from None
