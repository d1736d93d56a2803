"""The local server's table of client message fields is the SDK's (the schema oracle): every
type, field, kind and enum value the server checks against, regenerated here and compared."""

from __future__ import annotations

from liveview.server import client_schema as table
from tests.support.oracle import sdk_client_schema


def _reachable(messages: dict[str, dict[str, tuple[str, str, bool]]]) -> set[str]:
    seen: set[str] = set()
    todo = [table.ROOT]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [t for kind, t, _ in messages[name].values() if kind in ("msg", "map")]
    return seen


def test_every_message_type_matches_the_sdk() -> None:
    messages, _ = sdk_client_schema()
    ours = {
        name: {field: (k.name, k.target, k.repeated) for field, k in fields.items()}
        for name, fields in table.MESSAGES.items()
    }
    theirs = {name: messages[name] for name in _reachable(messages)}
    assert set(ours) == set(theirs), "message types differ"
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs from the SDK's type"


def test_every_enum_matches_the_sdk() -> None:
    _, enums = sdk_client_schema()
    used = {
        k.target for fields in table.MESSAGES.values() for k in fields.values() if k.name == "enum"
    }
    assert set(table.ENUMS) == used
    for name in used:
        assert table.ENUMS[name] == enums[name], f"enum {name} differs from the SDK's"
