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


# --- the client message schema, as the SDK's types describe it ---------------------------------

# What the SDK's pydantic types lack but its own converter sends (see the module docstring).
SCHEMA_ADDITIONS = {
    "LiveClientSetup": {
        "tools": ("msg", "Tool", True),
        "realtimeInputConfig": ("msg", "RealtimeInputConfig", False),
    },
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def sdk_client_schema() -> tuple[
    dict[str, dict[str, tuple[str, str, bool]]], dict[str, tuple[str, ...]]
]:
    """Every message type reachable from LiveClientMessage: {type: {camelField: (kind, target,
    repeated)}}, and every enum's values, read from google-genai's pydantic models."""
    import datetime
    import enum
    import types as pytypes
    import typing

    import pydantic

    messages: dict[str, dict[str, tuple[str, str, bool]]] = {}
    enums: dict[str, tuple[str, ...]] = {}

    def classify(ann: Any) -> tuple[str, str, bool]:
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        if origin in (typing.Union, pytypes.UnionType):
            inner = [a for a in args if a is not type(None)]
            models = [a for a in inner if isinstance(a, type) and issubclass(a, pydantic.BaseModel)]
            lists = [a for a in inner if typing.get_origin(a) is list]
            pick = inner[0] if len(inner) == 1 else (models or lists or [None])[0]
            return classify(pick) if pick is not None else ("any", "", False)
        if origin is list:
            kind, target, _ = classify(args[0])
            return kind, target, True
        if origin is dict:
            kind, target, _ = classify(args[1])
            return ("map", target, False) if kind == "msg" else ("struct", "", False)
        if isinstance(ann, type) and issubclass(ann, pydantic.BaseModel):
            walk(ann)
            return "msg", ann.__name__, False
        if isinstance(ann, type) and issubclass(ann, enum.Enum):
            enums[ann.__name__] = tuple(m.value for m in ann)
            return "enum", ann.__name__, False
        scalars = {bool: "bool", int: "int", float: "number", str: "str", bytes: "bytes",
                   datetime.datetime: "str"}  # fmt: skip
        return scalars.get(ann, "any"), "", False

    def walk(cls: type[pydantic.BaseModel]) -> None:
        if cls.__name__ in messages:
            return
        messages[cls.__name__] = {}
        for name, info in cls.model_fields.items():
            messages[cls.__name__][_camel(name)] = classify(info.annotation)

    walk(types.LiveClientMessage)
    walk(types.RealtimeInputConfig)
    walk(types.Tool)
    for type_name, extra in SCHEMA_ADDITIONS.items():
        messages[type_name].update(extra)
    return messages, enums
