"""The functions liveview offers the model (setup.tools.functionDeclarations), and `--tools`.

Standard library only (plus protocol/), so settings can import it cheaply; the handler that
answers the calls is liveview.core.tools. Parameter schemas are OpenAPI-style (`type` in capitals,
as the service's Schema type spells it) and validate against the official SDK's types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liveview.errors import ConfigError
from liveview.protocol.messages import FunctionDeclaration

TAKE_SNAPSHOT = "take_snapshot"
ZOOM_TO_REGION = "zoom_to_region"
LIST_SOURCES = "list_sources"
SWITCH_SOURCE = "switch_source"
PAUSE_VIDEO = "pause_video"
RESUME_VIDEO = "resume_video"


def _int(description: str, minimum: int) -> dict[str, Any]:
    return {"type": "INTEGER", "description": description, "minimum": minimum}


_ZOOM_PARAMETERS: dict[str, Any] = {
    "type": "OBJECT",
    "properties": {
        "x": _int("Left edge of the region, in pixels of the video frames you receive.", 0),
        "y": _int("Top edge of the region, in pixels of the video frames you receive.", 0),
        "width": _int("Width of the region in pixels of the video frames you receive.", 1),
        "height": _int("Height of the region in pixels of the video frames you receive.", 1),
    },
    "required": ["x", "y", "width", "height"],
    "propertyOrdering": ["x", "y", "width", "height"],
}

_SWITCH_PARAMETERS: dict[str, Any] = {
    "type": "OBJECT",
    "properties": {
        "name": {
            "type": "STRING",
            "description": "The name of a source exactly as list_sources returned it, "
            "e.g. 'screen:1' or 'camera:0'.",
        }
    },
    "required": ["name"],
}

LIVEVIEW_FUNCTIONS: tuple[FunctionDeclaration, ...] = (
    FunctionDeclaration(
        TAKE_SNAPSHOT,
        "Send one sharp, full-resolution picture of what the user is showing right now (the "
        "regular video frames are downscaled). Use it when small text or detail matters. The "
        "picture arrives as the next video frame; the answer says its size.",
    ),
    FunctionDeclaration(
        ZOOM_TO_REGION,
        "Look closer at part of the video: send the given rectangle of the current source at "
        "its full native detail, as the next video frame. Give the rectangle in the pixel "
        "coordinates of the regular video frames you have been receiving (top-left origin). "
        "Use it to read small text or inspect a detail instead of guessing.",
        _ZOOM_PARAMETERS,
    ),
    FunctionDeclaration(
        LIST_SOURCES,
        "List the video sources the user can show you (screens, cameras), with the name to "
        "pass to switch_source and which one is showing now.",
    ),
    FunctionDeclaration(
        SWITCH_SOURCE,
        "Switch the video to another source from list_sources. The user sees the switch and "
        "can undo it, and may have forbidden switching; only switch when the user asks for it "
        "or clearly needs it.",
        _SWITCH_PARAMETERS,
    ),
    FunctionDeclaration(
        PAUSE_VIDEO,
        "Stop sending video frames until resume_video (e.g. when the user asks for privacy).",
    ),
    FunctionDeclaration(RESUME_VIDEO, "Start sending video frames again after pause_video."),
)

FUNCTION_NAMES = tuple(f.name for f in LIVEVIEW_FUNCTIONS)


@dataclass(frozen=True)
class CallPolicy:
    """How one of liveview's functions is declared and answered on models with non-blocking
    calls (gemini-3.8-live: functions are NON_BLOCKING unless declared BLOCKING)."""

    # BLOCKING where the model allows it: the model must not answer before it has the result.
    # Snapshot and zoom *are* their result (the picture arrives as the next video frame, sent
    # before the response), so the model waits for them rather than guessing from an old
    # frame; a blocking call is cancelled when the user speaks, which toolCallCancellation
    # already handles. The source list is what the model asked for to go on.
    blocking: bool
    # functionResponse.scheduling for a NON_BLOCKING call's answer: SILENT adds context only,
    # WHEN_IDLE lets the model speak about it once it is idle, INTERRUPT cuts in now.
    scheduling: str


CALL_POLICIES: dict[str, CallPolicy] = {
    TAKE_SNAPSHOT: CallPolicy(blocking=True, scheduling="WHEN_IDLE"),
    ZOOM_TO_REGION: CallPolicy(blocking=True, scheduling="WHEN_IDLE"),
    LIST_SOURCES: CallPolicy(blocking=True, scheduling="WHEN_IDLE"),
    # The user sees the switch (with Undo); the model may talk about the new picture when idle.
    SWITCH_SOURCE: CallPolicy(blocking=False, scheduling="WHEN_IDLE"),
    # The model said it would pause; the confirmation needs no words.
    PAUSE_VIDEO: CallPolicy(blocking=False, scheduling="SILENT"),
    RESUME_VIDEO: CallPolicy(blocking=False, scheduling="SILENT"),
}
# Functions declared by others (--functions from a file, later) are left to the model's default.
DEFAULT_POLICY = CallPolicy(blocking=False, scheduling="WHEN_IDLE")


def scheduling_for(name: str, result: dict[str, Any]) -> str:
    """The scheduling of a non-blocking call's answer: an error is always worth saying."""
    if "error" in result:
        return "WHEN_IDLE"
    return CALL_POLICIES.get(name, DEFAULT_POLICY).scheduling


# --tools: the service's own tools (googleSearch, codeExecution) and liveview's functions.
TOOL_CHOICES = ("search", "code", "functions")


@dataclass(frozen=True)
class ToolSelection:
    """Which tools a session declares in setup.tools (a change needs a new session)."""

    google_search: bool = False
    code_execution: bool = False
    functions: bool = False


def parse_tools(text: str | None) -> ToolSelection:
    """`--tools search,code,functions` (any subset, comma-separated) or `none`."""
    if text is None or text.strip().lower() in ("", "none"):
        return ToolSelection()
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in TOOL_CHOICES]
    if unknown or "none" in names:
        bad = ", ".join(repr(n) for n in unknown) or "'none' with other tools"
        raise ConfigError(
            f"--tools: {bad} is not a tool. Use a comma-separated list of "
            f"{', '.join(TOOL_CHOICES)}, or none."
        )
    return ToolSelection("search" in names, "code" in names, "functions" in names)
