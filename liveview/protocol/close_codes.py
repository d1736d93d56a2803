"""What a WebSocket close (code + reason text) from the Live service means for the user.

The documentation lists no close codes; these are the ones seen in the wild (PROTOCOL.md).
Fatal closes are never retried: retrying a bad key or a retired model only hides the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from liveview.errors import Setting


class CloseKind(Enum):
    NORMAL = "normal"  # 1000/1001: the session ended on purpose
    FATAL = "fatal"  # bad key/argument/model, quota, location: show it, do not retry
    STALE_HANDLE = "stale_handle"  # resumption handle expired: start a fresh session
    TRANSIENT = "transient"  # internal/unavailable/dropped: reconnect with backoff


@dataclass(frozen=True)
class CloseVerdict:
    kind: CloseKind
    message: str
    # The setting to change when one fixes it.
    setting: Setting | None = None


# (substring of the lower-cased reason, kind, user message, setting), first match wins.
_REASON_RULES: tuple[tuple[str, CloseKind, str, Setting | None], ...] = (
    (
        "api key not valid",
        CloseKind.FATAL,
        "The API key was rejected. Check it in Settings > API key.",
        Setting.API_KEY,
    ),
    (
        "api_key_invalid",
        CloseKind.FATAL,
        "The API key was rejected. Check it in Settings > API key.",
        Setting.API_KEY,
    ),
    (
        "reported as leaked",
        CloseKind.FATAL,
        "This API key was revoked because it was reported as leaked. Create a new key and "
        "enter it in Settings > API key.",
        Setting.API_KEY,
    ),
    (
        "permission denied",
        CloseKind.FATAL,
        "The service refused this key or token (permission denied). Check Settings > API key.",
        Setting.API_KEY,
    ),
    (
        "quota",
        CloseKind.FATAL,
        "Your quota for the Live API is used up. Wait for it to reset or raise it in your "
        "Google Cloud project.",
        None,
    ),
    (
        "location is not supported",
        CloseKind.FATAL,
        "The Live API is not available in your location.",
        None,
    ),
    # The connection outlived its goAway (the service closes with 1008 then): not the user's
    # fault and not fatal; a new connection with the handle carries on.
    (
        "after a goaway",
        CloseKind.TRANSIENT,
        "The server recycled the connection; reconnecting.",
        None,
    ),
    (
        "session not found",
        CloseKind.STALE_HANDLE,
        "The earlier session could not be resumed (it expired); starting a fresh one.",
        None,
    ),
    (
        "is not found for api version",
        CloseKind.FATAL,
        "The model is not available (unknown or retired). Pick another in Settings > Model.",
        Setting.MODEL,
    ),
    (
        "not supported for bidigeneratecontent",
        CloseKind.FATAL,
        "This model does not support live sessions. Pick another in Settings > Model.",
        Setting.MODEL,
    ),
    (
        "cannot extract voices from a non-audio request",
        CloseKind.FATAL,
        "The model only replies with speech and refused a text-only request. Turn on "
        "Settings > Model & voice > Spoken replies (with it off, liveview shows the reply's "
        "transcript and keeps the speaker silent).",
        Setting.REPLY_MODE,
    ),
    (
        "unavailable",
        CloseKind.TRANSIENT,
        "The Live service is temporarily unavailable; reconnecting.",
        None,
    ),
    (
        "internal error",
        CloseKind.TRANSIENT,
        "The Live service had an internal error; reconnecting.",
        None,
    ),
)


def classify_close(code: int | None, reason: str) -> CloseVerdict:
    """Map a close code and its reason text to what to do and what to tell the user."""
    text = reason.lower()
    for needle, kind, message, setting in _REASON_RULES:
        if needle in text:
            return CloseVerdict(kind, message, setting)
    if code in (1000, 1001):
        return CloseVerdict(CloseKind.NORMAL, "The session ended.")
    if code == 1007:
        return CloseVerdict(
            CloseKind.FATAL,
            f"The service rejected the session settings: {reason or 'invalid argument'}. "
            "Check the model, voice and other settings.",
        )
    if code == 1008:
        return CloseVerdict(
            CloseKind.FATAL,
            f"The service refused the session: {reason or 'policy violation'}.",
        )
    if code == 1011 or code == 1006 or code is None:
        return CloseVerdict(CloseKind.TRANSIENT, "The connection was lost; reconnecting.")
    if code == 1013 or code == 1012 or code == 1014:
        return CloseVerdict(CloseKind.TRANSIENT, "The service asked to try again later.")
    return CloseVerdict(
        CloseKind.TRANSIENT, f"The connection closed unexpectedly ({code} {reason}).".strip()
    )


def classify_http_status(status: int, body: str = "") -> CloseVerdict:
    """A refused WebSocket upgrade (the handshake answered with an HTTP error)."""
    if status == 429:
        return CloseVerdict(
            CloseKind.FATAL,
            "The service says too many requests / quota exceeded (HTTP 429). Wait, or raise "
            "your quota.",
        )
    if status in (401, 403):
        return CloseVerdict(
            CloseKind.FATAL,
            f"The service refused the credentials (HTTP {status}). Check Settings > API key.",
            Setting.API_KEY,
        )
    if status == 404:
        return CloseVerdict(
            CloseKind.FATAL,
            "The endpoint was not found (HTTP 404). Check the backend URL and API version.",
            Setting.URL,
        )
    if status == 400:
        return CloseVerdict(
            CloseKind.FATAL, f"The service rejected the request (HTTP 400). {body[:200]}".strip()
        )
    return CloseVerdict(CloseKind.TRANSIENT, f"The service answered HTTP {status}; retrying.")
