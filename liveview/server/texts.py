"""The service's own words: close reasons and voices.

The reason texts are the ones the real Live service sends (PROTOCOL.md, "Close codes seen in the
wild"), so a client's close-code handling is tested against what it will really meet.
"""

from __future__ import annotations

import json

INVALID_ARGUMENT = "Request contains an invalid argument."
# What the service says for a clientContent turn whose role is neither user nor model.
INVALID_ROLE = "Please use a valid role: user, model."
BAD_API_KEY = "API key not valid. Please pass a valid API key."
LEAKED_API_KEY = "Your API key was reported as leaked. Please use another API key."
NON_AUDIO_VOICE = "Cannot extract voices from a non-audio request."
INTERNAL_ERROR = "Internal error occurred."
UNAVAILABLE = "The service is currently unavailable."
QUOTA_EXCEEDED = "You exceeded your current quota, please check your plan and billing details."
SESSION_NOT_FOUND = "session not found"
# Observed (1008, not a normal close) when a connection outlives its goAway; the service's text
# is longer than a close frame may carry, so this is its gist.
# Observed (1011) when a connection is cut at the end of its life or a session at its limit.
DEADLINE_EXPIRED = "Deadline expired before operation could complete."
LIFETIME_EXPIRED = (
    "Connection aborted because the client did not close the connection after a GoAway signal"
)
MAX_REASON_BYTES = 123  # RFC 6455: a close frame's payload is at most 125 bytes with the code


def fit_reason(reason: str) -> str:
    """Cut a reason to what a close frame can carry, on a character boundary."""
    data = reason.encode("utf-8")[:MAX_REASON_BYTES]
    return data.decode("utf-8", "ignore")


CLOSE_INVALID_ARGUMENT = 1007
CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011

DEFAULT_REASONS: dict[int, str] = {
    1007: INVALID_ARGUMENT,
    1008: LEAKED_API_KEY,
    1011: INTERNAL_ERROR,
    1013: UNAVAILABLE,
}


def model_not_found(model: str, api_version: str) -> str:
    return (
        f"{model} is not found for API version {api_version}, or is not supported for "
        "bidiGenerateContent"
    )


def unknown_field(name: str, where: str) -> str:
    """What protobuf's JSON parser says about a field it does not know (`where`: the path of
    the message holding it, snake_case; "" at the top level)."""
    at = f" at '{where}'" if where else ""
    return f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'


def invalid_value(where: str, type_name: str, value: object) -> str:
    """What protobuf's JSON parser says about a value of the wrong kind, or an enum value that
    does not exist."""
    shown = json.dumps(value, ensure_ascii=False)[:60]
    return f"Invalid JSON payload received. Invalid value at '{where}' ({type_name}), {shown}"


def invalid_json() -> str:
    return "Invalid JSON payload received. Unexpected token."


# Protobuf's JSON parser on input nested past its recursion limit (the gist of its wording).
TOO_DEEP = "Invalid JSON payload received. Message too deep. Max recursion depth reached."


VOICES: tuple[str, ...] = (
    "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe",
    "Autonoe", "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib",
    "Rasalgethi", "Laomedeia", "Achernar", "Alnilam", "Schedar", "Gacrux", "Pulcherrima",
    "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip

API_VERSIONS = ("v1", "v1beta", "v1alpha")
