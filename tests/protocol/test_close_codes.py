from __future__ import annotations

import pytest

from liveview.errors import Setting
from liveview.protocol.close_codes import CloseKind, classify_close, classify_http_status

# Reason texts as the service sends them (PROTOCOL.md, "Close codes seen in the wild").
CLOSES = [
    (1007, "API key not valid. Please pass a valid API key.", CloseKind.FATAL, Setting.API_KEY),
    (1007, "Request contains an invalid argument.", CloseKind.FATAL, None),
    (1007, "Cannot extract voices from a non-audio request.", CloseKind.FATAL, Setting.REPLY_MODE),
    (1007, "User location is not supported for the API use.", CloseKind.FATAL, None),
    (
        1008,
        "models/gemini-old is not found for API version v1beta, or is not supported for "
        "bidiGenerateContent",
        CloseKind.FATAL,
        Setting.MODEL,
    ),
    (
        1008,
        "Your API key was reported as leaked. Please use another API key.",
        CloseKind.FATAL,
        Setting.API_KEY,
    ),
    (1008, "session not found", CloseKind.STALE_HANDLE, None),
    (
        1008,
        "Connection aborted because the client did not close the connection after a GoAway signal",
        CloseKind.TRANSIENT,
        None,
    ),
    (1008, "Method doesn't allow unregistered callers", CloseKind.FATAL, None),
    (1011, "Internal error occurred.", CloseKind.TRANSIENT, None),
    (1011, "The service is currently unavailable.", CloseKind.TRANSIENT, None),
    (
        1011,
        "You exceeded your current quota, please check your plan and billing details.",
        CloseKind.FATAL,
        None,
    ),
    (1006, "", CloseKind.TRANSIENT, None),
    (None, "", CloseKind.TRANSIENT, None),
    (1000, "", CloseKind.NORMAL, None),
    (1001, "going away", CloseKind.NORMAL, None),
    (1013, "try again later", CloseKind.TRANSIENT, None),
    (4000, "odd", CloseKind.TRANSIENT, None),
    (1008, "PERMISSION_DENIED: permission denied", CloseKind.FATAL, Setting.API_KEY),
    (1007, "API_KEY_INVALID", CloseKind.FATAL, Setting.API_KEY),
]


@pytest.mark.parametrize(("code", "reason", "kind", "setting"), CLOSES)
def test_close_classification(
    code: int | None, reason: str, kind: CloseKind, setting: Setting | None
) -> None:
    verdict = classify_close(code, reason)
    assert verdict.kind is kind
    assert verdict.setting == setting
    assert verdict.message  # always something a person can read


def test_fatal_messages_name_what_to_fix() -> None:
    assert (
        "Settings > Model"
        in classify_close(1008, "models/x is not found for API version v1beta").message
    )
    assert "API key" in classify_close(1007, "API key not valid.").message
    assert "quota" in classify_close(1011, "You exceeded your current quota").message.lower()
    assert "invalid argument" in classify_close(1007, "").message


@pytest.mark.parametrize(
    ("status", "kind", "setting"),
    [
        (429, CloseKind.FATAL, None),
        (401, CloseKind.FATAL, Setting.API_KEY),
        (403, CloseKind.FATAL, Setting.API_KEY),
        (404, CloseKind.FATAL, Setting.URL),
        (400, CloseKind.FATAL, None),
        (503, CloseKind.TRANSIENT, None),
    ],
)
def test_http_status_at_upgrade(status: int, kind: CloseKind, setting: Setting | None) -> None:
    verdict = classify_http_status(status, "body")
    assert (verdict.kind, verdict.setting) == (kind, setting)
    assert str(status) in verdict.message
