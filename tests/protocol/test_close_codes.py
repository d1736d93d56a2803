from __future__ import annotations

import pytest

from liveview.protocol.close_codes import CloseKind, classify_close, classify_http_status

# Reason texts as the service sends them (PROTOCOL.md, "Close codes seen in the wild").
CLOSES = [
    (1007, "API key not valid. Please pass a valid API key.", CloseKind.FATAL, "api_key"),
    (1007, "Request contains an invalid argument.", CloseKind.FATAL, ""),
    (1007, "Cannot extract voices from a non-audio request.", CloseKind.FATAL, "voice"),
    (1007, "User location is not supported for the API use.", CloseKind.FATAL, ""),
    (
        1008,
        "models/gemini-old is not found for API version v1beta, or is not supported for "
        "bidiGenerateContent",
        CloseKind.FATAL,
        "model",
    ),
    (
        1008,
        "Your API key was reported as leaked. Please use another API key.",
        CloseKind.FATAL,
        "api_key",
    ),
    (1008, "session not found", CloseKind.STALE_HANDLE, ""),
    (
        1008,
        "Connection aborted because the client did not close the connection after a GoAway signal",
        CloseKind.TRANSIENT,
        "",
    ),
    (1008, "Method doesn't allow unregistered callers", CloseKind.FATAL, ""),
    (1011, "Internal error occurred.", CloseKind.TRANSIENT, ""),
    (1011, "The service is currently unavailable.", CloseKind.TRANSIENT, ""),
    (
        1011,
        "You exceeded your current quota, please check your plan and billing details.",
        CloseKind.FATAL,
        "",
    ),
    (1006, "", CloseKind.TRANSIENT, ""),
    (None, "", CloseKind.TRANSIENT, ""),
    (1000, "", CloseKind.NORMAL, ""),
    (1001, "going away", CloseKind.NORMAL, ""),
    (1013, "try again later", CloseKind.TRANSIENT, ""),
    (4000, "odd", CloseKind.TRANSIENT, ""),
    (1008, "PERMISSION_DENIED: permission denied", CloseKind.FATAL, "api_key"),
    (1007, "API_KEY_INVALID", CloseKind.FATAL, "api_key"),
]


@pytest.mark.parametrize(("code", "reason", "kind", "setting"), CLOSES)
def test_close_classification(code: int | None, reason: str, kind: CloseKind, setting: str) -> None:
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
        (429, CloseKind.FATAL, ""),
        (401, CloseKind.FATAL, "api_key"),
        (403, CloseKind.FATAL, "api_key"),
        (404, CloseKind.FATAL, "url"),
        (400, CloseKind.FATAL, ""),
        (503, CloseKind.TRANSIENT, ""),
    ],
)
def test_http_status_at_upgrade(status: int, kind: CloseKind, setting: str) -> None:
    verdict = classify_http_status(status, "body")
    assert (verdict.kind, verdict.setting) == (kind, setting)
    assert str(status) in verdict.message
