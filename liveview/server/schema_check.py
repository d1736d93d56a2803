"""Every field of a client message checked against the schema table, as the service's protobuf
JSON parser does: an unknown name, a value of the wrong kind or an enum value that does not
exist closes 1007 with the parser's own wording and the field's path (snake_case, as protobuf
names fields): `Invalid JSON payload received. Unknown name "x" at 'setup.generation_config':
Cannot find field.`
"""

from __future__ import annotations

import json
import re
from typing import Any

from liveview.server import texts
from liveview.server.client_schema import ENUMS, MESSAGES, ROOT, Kind
from liveview.server.inbound_errors import ClientProtocolError

_INT_RE = re.compile(r"^-?\d+$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def check_client_message(message: dict[str, Any]) -> None:
    """Raise ClientProtocolError (1007) at the first field the service would refuse."""
    _check_message(message, ROOT, "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check_message(value: dict[str, Any], type_name: str, path: str) -> None:
    fields = MESSAGES[type_name]
    for key, item in value.items():
        kind = fields.get(key) or fields.get(_camel(key))
        if kind is None:
            raise ClientProtocolError(texts.unknown_field(key, path))
        _check_value(item, kind, _join(path, _snake(key)))


def _check_value(value: Any, kind: Kind, path: str) -> None:
    if value is None:
        return  # protobuf JSON: null means the field is unset
    if kind.repeated:
        if not isinstance(value, list):
            raise ClientProtocolError(texts.invalid_value(path, _type_label(kind), value))
        for index, item in enumerate(value):
            _check_one(item, kind, f"{path}[{index}]")
        return
    _check_one(value, kind, path)


def _check_one(value: Any, kind: Kind, path: str) -> None:
    if kind.name == "msg":
        if not isinstance(value, dict):
            raise ClientProtocolError(texts.invalid_value(path, kind.target, value))
        _check_message(value, kind.target, path)
    elif kind.name == "map":
        if not isinstance(value, dict):
            raise ClientProtocolError(texts.invalid_value(path, f"map<{kind.target}>", value))
        for key, item in value.items():
            _check_one(item, Kind("msg", kind.target), f"{path}[{json.dumps(key)}]")
    elif kind.name == "enum":
        _check_enum(value, kind.target, path)
    elif not _scalar_ok(value, kind.name):
        raise ClientProtocolError(texts.invalid_value(path, _type_label(kind), value))


def _check_enum(value: Any, enum_name: str, path: str) -> None:
    values = ENUMS[enum_name]
    # Protobuf JSON takes an enum by name, or by number.
    if isinstance(value, str) and value in values:
        return
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(values):
        return
    raise ClientProtocolError(texts.invalid_value(path, enum_name, value))


def _scalar_ok(value: Any, name: str) -> bool:
    if name == "any":
        return True
    if name == "struct":
        return isinstance(value, dict)
    if name == "bool":
        return isinstance(value, bool)
    if name == "int":
        # int64 travels as a JSON string; int32 as a number (both accepted).
        if isinstance(value, str):
            return bool(_INT_RE.match(value.strip()))
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)  # str, bytes (base64 text)


_SCALAR_LABELS = {
    "str": "TYPE_STRING",
    "bytes": "TYPE_BYTES",
    "bool": "TYPE_BOOL",
    "int": "TYPE_INT64",
    "number": "TYPE_DOUBLE",
    "struct": "google.protobuf.Struct",
}


def _type_label(kind: Kind) -> str:
    return kind.target or _SCALAR_LABELS.get(kind.name, kind.name)
