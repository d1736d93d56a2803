"""Property-based fuzzing of the server-message parser: nothing escapes but RemoteProtocolError."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveview.errors import RemoteProtocolError
from liveview.protocol import events as ev
from liveview.protocol.parser import parse_server_message

KEYS = [
    "setupComplete",
    "serverContent",
    "modelTurn",
    "parts",
    "text",
    "inlineData",
    "mimeType",
    "data",
    "turnComplete",
    "interrupted",
    "generationComplete",
    "inputTranscription",
    "outputTranscription",
    "finished",
    "toolCall",
    "functionCalls",
    "id",
    "name",
    "args",
    "toolCallCancellation",
    "ids",
    "goAway",
    "timeLeft",
    "sessionResumptionUpdate",
    "newHandle",
    "resumable",
    "usageMetadata",
    "totalTokenCount",
    "groundingMetadata",
    "groundingChunks",
    "web",
    "uri",
    "executableCode",
    "codeExecutionResult",
    "thought",
    "turn_complete",
    "model_turn",
    "server_content",
    "unknownField",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["50s", "audio/pcm;rate=24000", "AAAA"]),
)
shapes = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


# 2,000 random shapes a run: 10,000 took 68 s of a 2-core CI run.
@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(KEYS), shapes, max_size=4))
def test_random_json_shapes_yield_events_or_the_one_protocol_error(message: dict[str, Any]) -> None:
    try:
        events = parse_server_message(json.dumps(message))
    except RemoteProtocolError:
        return
    assert all(isinstance(e, ev.Event) for e in events)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_yield_events_or_the_one_protocol_error(data: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError):
        parse_server_message(data)
