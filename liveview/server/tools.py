"""Typed-turn commands that make the local server call the client's functions (issue 8).

"zoom X Y W H" -> zoom_to_region, "snapshot" -> take_snapshot, "list sources" -> list_sources,
"switch to NAME" -> switch_source, "pause video" / "resume video" -> pause_video / resume_video,
"search ..." -> a declared search function. The server never pretends: a function the setup did
not declare is reported as such, and Google Search grounding is declined (it has no network).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from liveview.server.inbound import FunctionDecl, FunctionResult, Setup

_ZOOM_RE = re.compile(r"\bzoom\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)", re.IGNORECASE)
_SNAPSHOT_RE = re.compile(r"\bsnapshot\b", re.IGNORECASE)
_SEARCH_RE = re.compile(r"^\s*search\s+(.+)$", re.IGNORECASE | re.DOTALL)
_LIST_RE = re.compile(r"\blist\s+(?:the\s+)?(?:video\s+)?sources\b", re.IGNORECASE)
_SWITCH_RE = re.compile(
    r"^\s*switch(?:\s+(?:the\s+)?(?:source|video))?(?:\s+to)?\s+(\S+)\s*$", re.IGNORECASE
)
_PAUSE_RE = re.compile(r"\bpause\s+(?:the\s+)?video\b", re.IGNORECASE)
_RESUME_RE = re.compile(r"\bresume\s+(?:the\s+)?video\b", re.IGNORECASE)
ZOOM_NAMES = ("zoom_to_region", "zoom")
SNAPSHOT_NAMES = ("take_snapshot", "snapshot")
SEARCH_NAMES = ("search", "web_search", "google_search")
LIST_NAMES = ("list_sources",)
SWITCH_NAMES = ("switch_source",)
PAUSE_NAMES = ("pause_video",)
RESUME_NAMES = ("resume_video",)
ZOOM_PARAMS = ("x", "y", "width", "height")
SWITCH_PARAMS = ("name",)
_NAMES = {
    "zoom": ZOOM_NAMES,
    "snapshot": SNAPSHOT_NAMES,
    "search": SEARCH_NAMES,
    "list_sources": LIST_NAMES,
    "switch": SWITCH_NAMES,
    "pause": PAUSE_NAMES,
    "resume": RESUME_NAMES,
}
# The parameters a call of this kind passes: the declaration must have them.
_PARAMS = {"zoom": ZOOM_PARAMS, "switch": SWITCH_PARAMS}


@dataclass(frozen=True)
class ToolRequest:
    """A typed turn that asks for a tool."""

    kind: str  # a key of _NAMES: "zoom", "snapshot", "search", "list_sources", "switch", ...
    args: dict[str, Any]


@dataclass
class ToolExchange:
    """One call and what came back; kept on the connection record for tests."""

    call_id: str
    name: str
    args: dict[str, Any]
    response: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    next_frame_size: tuple[int, int] | None = None
    cancelled: bool = False
    blocking: bool = True  # the model waited for the answer (else NON_BLOCKING)
    scheduling: str | None = None  # how a NON_BLOCKING answer was taken in
    answers: int = 0  # responses received (willContinue: more than one)


def tool_request(text: str) -> ToolRequest | None:
    if m := _ZOOM_RE.search(text):
        x, y, w, h = (int(g) for g in m.groups())
        return ToolRequest("zoom", {"x": x, "y": y, "width": w, "height": h})
    if _SNAPSHOT_RE.search(text):
        return ToolRequest("snapshot", {})
    if _LIST_RE.search(text):
        return ToolRequest("list_sources", {})
    if m := _SWITCH_RE.match(text):
        return ToolRequest("switch", {"name": m.group(1)})
    if _PAUSE_RE.search(text):
        return ToolRequest("pause", {})
    if _RESUME_RE.search(text):
        return ToolRequest("resume", {})
    if m := _SEARCH_RE.match(text):
        return ToolRequest("search", {"query": m.group(1).strip()})
    return None


def _declared(setup: Setup, names: tuple[str, ...]) -> FunctionDecl | None:
    for name in names:
        if (decl := setup.function(name)) is not None:
            return decl
    return None


def resolve(request: ToolRequest, setup: Setup) -> tuple[FunctionDecl | None, str]:
    """The declared function to call, or None and the honest reason why not."""
    names = _NAMES[request.kind]
    decl = _declared(setup, names)
    if decl is not None:
        wanted = _PARAMS.get(request.kind, ())
        missing = [p for p in wanted if p not in decl.parameter_names]
        if missing and (decl.parameter_names or request.kind == "switch"):
            return None, (
                f"The declared {decl.name} function has no parameter "
                f"{', '.join(missing)}, so I cannot call it for this."
            )
        return decl, ""
    if request.kind == "search" and setup.google_search:
        return None, (
            "Google Search grounding is enabled, but this local server has no network and "
            "cannot search."
        )
    return None, f"You asked for {request.kind}, but the setup declared no {names[0]} function."


def check_response(exchange: ToolExchange, result: FunctionResult, decl: FunctionDecl) -> None:
    """Compare a toolResponse with the call and the declaration; record what is wrong."""
    exchange.response = result.response
    exchange.answers += 1
    if not result.name:
        exchange.problems.append("the response carried no function name")
    elif result.name != decl.name:
        exchange.problems.append(f"the response names {result.name}, the call was {decl.name}")
    if not result.response:
        exchange.problems.append("the response object was empty")


def describe_exchange(exchange: ToolExchange, request: ToolRequest) -> str:
    text = f"I called {exchange.name}"
    if exchange.args:
        text += " with " + ", ".join(f"{k} {v}" for k, v in exchange.args.items())
    if exchange.response is None:
        return text + ", but no response came back in time."
    summary = json.dumps(exchange.response, ensure_ascii=False, sort_keys=True)
    text += f". It answered {summary[:200]}."
    if exchange.problems:
        text += " Problems: " + "; ".join(exchange.problems) + "."
    if exchange.next_frame_size is not None:
        w, h = exchange.next_frame_size
        text += f" The frame sent with the response was {w} by {h} pixels."
        if request.kind == "zoom" and request.args["width"] > 0:
            detail = w / request.args["width"]
            text += (
                f" The region asked for was {request.args['width']} by "
                f"{request.args['height']} at {request.args['x']}, {request.args['y']}, "
                f"so it arrived at {detail:.1f} times that size."
            )
    elif request.kind in ("zoom", "snapshot"):
        text += " No frame came with the response."
    return text
