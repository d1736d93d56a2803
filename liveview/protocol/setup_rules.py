"""Which fields of a `setup` message a model refuses, as one table read by both sides.

The client checks its own setup before sending it (and names the setting when the service
refuses one anyway); the local server closes with the service's code for the same rules. Rules
read the setup as JSON (camelCase or snake_case, as the service accepts), so both sides apply
them to what actually travels.

For a model the catalogue does not know nothing is refused in advance: the fields present are
only *suspects* that a refusal from the service is then blamed on, by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from liveview.errors import Setting
from liveview.protocol.catalogue import (
    INVALID_ARGUMENT,
    FunctionMode,
    ModelInfo,
    Proactivity,
    Thinking,
    lookup,
)

Obj = Mapping[str, Any]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _get(obj: Any, camel: str) -> Any:
    if not isinstance(obj, Mapping):
        return None
    return obj[camel] if camel in obj else obj.get(_snake(camel))


def _generation(setup: Obj) -> Any:
    return _get(setup, "generationConfig")


def _thinking(setup: Obj) -> Any:
    return _get(_generation(setup), "thinkingConfig")


def _tools(setup: Obj, name: str) -> list[Any]:
    tools = _get(setup, "tools")
    found = [_get(t, name) for t in tools] if isinstance(tools, list) else []
    return [f for f in found if f is not None]


def _behaviors(setup: Obj) -> set[str]:
    out = set()
    for decls in _tools(setup, "functionDeclarations"):
        for decl in decls if isinstance(decls, list) else []:
            behavior = _get(decl, "behavior")
            if isinstance(behavior, str):
                out.add(behavior)
    return out


def _modalities(setup: Obj) -> list[Any]:
    found = _get(_generation(setup), "responseModalities")
    return found if isinstance(found, list) else []


def _thinking_level(setup: Obj) -> str:
    level = _get(_thinking(setup), "thinkingLevel")
    return level.lower() if isinstance(level, str) else ""


def _proactive_audio(setup: Obj) -> Any:
    return _get(_get(setup, "proactivity"), "proactiveAudio")


def _language_codes(setup: Obj) -> Any:
    return _get(_get(setup, "inputAudioTranscription"), "languageCodes")


@dataclass(frozen=True)
class Rule:
    setting: Setting
    field: str  # the field's path as the service's messages spell it (snake_case)
    present: Callable[[Obj], bool]  # the setup uses this field (a suspect on unknown models)
    allowed: Callable[[ModelInfo, Obj], bool]  # the model takes it as set
    fix: str  # what the user does about it, after "{model} ..."


RULES: tuple[Rule, ...] = (
    Rule(
        Setting.REPLY_MODE,
        "generation_config.response_modalities",
        lambda s: "TEXT" in _modalities(s),
        lambda m, s: m.text_replies,
        "replies only in audio. With Spoken replies off, liveview asks for audio with its "
        "transcript and mutes playback instead.",
    ),
    Rule(
        Setting.THINKING,
        "generation_config.thinking_config",
        lambda s: _thinking(s) is not None,
        lambda m, s: _thinking_allowed(m, s),
        "does not take this thinking setting. Clear Settings > Model & voice > Thinking, or "
        "pick a level it offers.",
    ),
    Rule(
        Setting.CODE_EXECUTION,
        "tools.code_execution",
        lambda s: bool(_tools(s, "codeExecution")),
        lambda m, s: m.code_execution,
        "cannot run code (no Live model can). Turn off Settings > Tools > Code execution.",
    ),
    Rule(
        Setting.GOOGLE_SEARCH,
        "tools.google_search",
        lambda s: bool(_tools(s, "googleSearch")),
        lambda m, s: m.google_search,
        "cannot search the web. Turn off Settings > Tools > Google Search.",
    ),
    Rule(
        Setting.FUNCTIONS,
        "tools.function_declarations.behavior",
        lambda s: bool(_behaviors(s)),
        lambda m, s: _behaviors_allowed(m, _behaviors(s)),
        "does not take these function modes (blocking or non-blocking calls).",
    ),
    Rule(
        Setting.MEDIA_RESOLUTION,
        "generation_config.media_resolution",
        lambda s: _get(_generation(s), "mediaResolution") is not None,
        lambda m, s: m.media_resolution,
        "does not take a media resolution. Set Settings > Video > Media resolution to default.",
    ),
    Rule(
        Setting.TRANSCRIPTION_LANGUAGE,
        "input_audio_transcription.language_codes",
        lambda s: bool(_language_codes(s)),
        lambda m, s: m.transcription_languages,
        "does not take transcription languages. Clear Settings > Model & voice > "
        "Transcription languages.",
    ),
    Rule(
        Setting.SETUP_EXTRA,
        "proactivity.proactive_audio",
        lambda s: _get(s, "proactivity") is not None,
        lambda m, s: _proactivity_allowed(m.proactivity, _proactive_audio(s)),
        "does not take this proactivity setting (proactive audio is always on for it, or "
        "not offered).",
    ),
    Rule(
        Setting.SETUP_EXTRA,
        "generation_config.enable_affective_dialog",
        lambda s: _get(_generation(s), "enableAffectiveDialog") is not None,
        lambda m, s: m.affective_dialog,
        "does not take enable_affective_dialog (affective dialog was removed).",
    ),
)


def _thinking_allowed(model: ModelInfo, setup: Obj) -> bool:
    config = _thinking(setup)
    if model.thinking is Thinking.NONE:
        return False
    has_budget = _get(config, "thinkingBudget") is not None
    has_level = _get(config, "thinkingLevel") is not None
    if model.thinking is Thinking.BUDGET:
        return not has_level
    return not has_budget and (not has_level or _thinking_level(setup) in model.thinking_levels)


def _behaviors_allowed(model: ModelInfo, behaviors: set[str]) -> bool:
    if "NON_BLOCKING" in behaviors and FunctionMode.ASYNC not in model.function_modes:
        return False
    return not ("BLOCKING" in behaviors and FunctionMode.SYNC not in model.function_modes)


def _proactivity_allowed(mode: Proactivity, proactive_audio: Any) -> bool:
    if mode is Proactivity.UNSUPPORTED:
        return False
    return not (mode is Proactivity.ALWAYS_ON and proactive_audio is False)


@dataclass(frozen=True)
class Refusal:
    """One field the model refuses: the close the service sends, and what the user reads."""

    setting: Setting
    field: str
    code: int
    reason: str
    message: str


def _refusal(model: ModelInfo, rule: Rule) -> Refusal:
    code, reason = (1007, INVALID_ARGUMENT)
    if rule.setting is Setting.REPLY_MODE:
        code, reason = model.text_rejection
    return Refusal(rule.setting, rule.field, code, reason, f"{model.id} {rule.fix}")


def refusals(setup: Obj, model: ModelInfo | None = None) -> list[Refusal]:
    """What the setup's model (the catalogue's entry, or `model`) refuses of it; nothing for a
    model the catalogue does not know."""
    model = model or lookup(str(_get(setup, "model") or ""))
    if not model.verified:
        return []
    return [_refusal(model, r) for r in RULES if r.present(setup) and not r.allowed(model, setup)]


def suspects(setup: Obj) -> list[Rule]:
    """Optional fields the setup uses that a refusal from the service may be about."""
    return [r for r in RULES if r.present(setup)]


def blame(setup: Obj, code: int | None, reason: str) -> tuple[Setting, str] | None:
    """A close during setup, explained by a field of the setup: (setting, user message).

    The reason names the field (protobuf's messages do), or the catalogue knows this model
    refuses the field with exactly this close, or the model is unknown and a 1007 can only be
    about one of the optional fields it was sent."""
    model = lookup(str(_get(setup, "model") or ""))
    lowered = reason.lower()
    present = suspects(setup)
    for rule in present:
        names = (rule.field.rsplit(".", 1)[-1], _camel_leaf(rule.field))
        if any(name.lower() in lowered for name in names):
            return rule.setting, f"The service refused the session: {model.id} {rule.fix}"
    for refusal in refusals(setup):
        if (refusal.code, refusal.reason.lower()) == (code, lowered):
            return refusal.setting, f"The service refused the session: {refusal.message}"
    if code == 1007 and present and not model.verified:
        named = ", ".join(r.setting.label for r in present)
        return present[0].setting, (
            f"The service refused the session settings ({reason or 'invalid argument'}). "
            f"{model.id} is not in liveview's catalogue and may not take: {named}. Turn "
            f"{'it' if len(present) == 1 else 'them'} off in Settings and start again."
        )
    return None


def _camel_leaf(path: str) -> str:
    head, *rest = path.rsplit(".", 1)[-1].split("_")
    return head + "".join(p.title() for p in rest)
