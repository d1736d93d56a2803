"""The official SDK's pydantic types as a schema oracle (they forbid unknown fields).

One gap in the oracle: google-genai's `LiveClientSetup` type has no `realtimeInputConfig`,
although the SDK's own converters put it on the wire at `setup.realtimeInputConfig`
(`_live_converters.py`). We validate that part against `types.RealtimeInputConfig` instead.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from google.genai import types


def validate_client_message(message: dict[str, Any]) -> types.LiveClientMessage:
    message = copy.deepcopy(message)
    setup = message.get("setup")
    if isinstance(setup, dict) and "realtimeInputConfig" in setup:
        types.RealtimeInputConfig.model_validate(setup.pop("realtimeInputConfig"))
    return types.LiveClientMessage.model_validate(message)


def validate_server_message(data: str | bytes | dict[str, Any]) -> types.LiveServerMessage:
    message = data if isinstance(data, dict) else json.loads(data)
    return types.LiveServerMessage.model_validate(message)
