"""Profiles: a named set of system instruction, voice, language, model, reply mode, tools,
default source and frame rate, switched as one (`--profile NAME`, the toolbar box).

liveview ships a few (BUILTIN_PROFILES, data). The user's own are JSON files, one profile per
file, in the platform's config folder (`platformdirs`; on Linux
`$XDG_CONFIG_HOME/liveview/profiles/`); one with the name of a built-in replaces it. A file that
is broken is named with its line and the others still load. `apply_profile` is pure: it turns
a profile into SessionSettings and VideoSettings; explicit command-line options go on top.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from liveview.capture.spec import parse_source_spec
from liveview.core.settings import VOICES, Backend, SessionSettings
from liveview.core.tool_declarations import TOOL_CHOICES
from liveview.core.video_pipeline import VideoSettings
from liveview.encode.throttle import validate_fps
from liveview.errors import ConfigError
from liveview.protocol.catalogue import LOCAL_MODEL, Status, bare_id, lookup

PROFILE_SUFFIX = ".json"
EXPORT_KEY = "liveview_profiles"  # marks a file of several profiles: {"liveview_profiles": 1, ...}
TRANSLATE_MODEL = "gemini-3.5-live-translate-preview"
# Backends whose models are the catalogue's: they serve a model the catalogue lists as live.
# The local server plays one model; a custom endpoint's models are unknown, so none is assumed.
CATALOGUE_BACKENDS = frozenset({Backend.GEMINI, Backend.VERTEX})


class ReplyMode(StrEnum):
    AUDIO = "audio"
    TEXT = "text"


@dataclass(frozen=True)
class Profile:
    """None (or an absent key in the file) means: leave that setting as it is."""

    name: str
    description: str = ""
    system_instruction: str | None = None
    voice: str | None = None
    language: str | None = None  # BCP-47, e.g. en-US
    model: str | None = None
    # Said instead of system_instruction when the backend does not serve `model`.
    instruction_without_model: str | None = None
    reply_mode: ReplyMode | None = None
    tools: tuple[str, ...] | None = None  # of TOOL_CHOICES; () is none
    source: str | None = None  # as --source: none | screen[:N] | camera[:N] | ...
    fps: float | None = None


BUILTIN_PROFILES: tuple[Profile, ...] = (
    Profile(
        name="Explain my screen",
        description="Ask about anything on the screen.",
        system_instruction=(
            "You see the user's screen. When asked, explain what is on it plainly: which "
            "program it is, what the text says, what to do next. Keep answers short unless "
            "the user asks for more."
        ),
        tools=("functions",),
        source="screen",
        fps=1.0,
    ),
    Profile(
        name="Pair programmer",
        description="Reads the code and the terminal with you.",
        system_instruction=(
            "You are a pair programmer looking at the user's screen. Read code and terminal "
            "output exactly; refer to files, line numbers and names; propose the smallest "
            "change that fixes the problem and say why. If text is too small to read, ask for "
            "a sharp snapshot rather than guess."
        ),
        tools=("functions", "search"),
        source="screen",
        fps=1.0,
    ),
    Profile(
        name="Describe for me",
        description="For low vision: says briefly what changes.",
        system_instruction=(
            "The user cannot see well. Describe what the camera or screen shows, but speak "
            "only when something that matters changes: say what changed, the most important "
            "first, in one or two short sentences, and read out new text. Never describe what "
            "stayed the same."
        ),
        reply_mode=ReplyMode.AUDIO,
        tools=("functions",),
        source="camera",
        fps=1.0,
    ),
    Profile(
        name="Live translator",
        description="Speaks what is said in another language.",
        model=TRANSLATE_MODEL,
        system_instruction="Translate everything you hear into English.",
        instruction_without_model=(
            "You are a live interpreter. Translate everything you hear into English (and "
            "English into the language the other person speaks), at once and faithfully. "
            "Do not answer, explain or comment: only translate."
        ),
        reply_mode=ReplyMode.AUDIO,
        tools=(),
        source="none",
    ),
)


@dataclass(frozen=True)
class ProfileProblem:
    path: Path
    line: int  # 1-based; 0 when the problem is the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class ProfileError(ConfigError):
    """A profile file or value that cannot be used; says which file and line."""

    def __init__(self, problem: ProfileProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class ProfileSet:
    profiles: tuple[Profile, ...]  # built-ins first, in their order, then the user's by name
    problems: tuple[ProfileProblem, ...]

    def get(self, name: str) -> Profile | None:
        wanted = name.strip().casefold()
        return next((p for p in self.profiles if p.name.casefold() == wanted), None)

    def require(self, name: str) -> Profile:
        found = self.get(name)
        if found is None:
            names = ", ".join(repr(p.name) for p in self.profiles)
            raise ConfigError(f"No profile named {name!r}. The profiles are: {names}.")
        return found


def profiles_folder() -> Path:
    return platformdirs.user_config_path("liveview", appauthor=False) / "profiles"


# -- JSON <-> Profile -----------------------------------------------------------------------------

_KEYS = tuple(f.name for f in fields(Profile))
_TEXT_KEYS = ("name", "description", "system_instruction", "language", "model",
              "instruction_without_model", "source")  # fmt: skip


def to_json(profile: Profile) -> dict[str, Any]:
    """The profile as it is written: only what it sets."""
    out: dict[str, Any] = {}
    for key in _KEYS:
        value = getattr(profile, key)
        if value is None or (key == "description" and not value):
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _line_of(text: str, key: str) -> int:
    """The line on which `"key"` first appears (1 when it cannot be found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{key}"' in line:
            return number
    return 1


def _check_value(key: str, value: Any) -> Any:
    """The value for `key`, or ValueError saying what is wrong with it."""
    if value is None:
        return None
    if key in _TEXT_KEYS:
        if not isinstance(value, str):
            raise ValueError(f"{key} must be text")
        if key == "source":
            parse_source_spec(value)  # ConfigError names the syntax
        return value
    if key == "voice":
        if value not in VOICES:
            raise ValueError(f"unknown voice {value!r}; one of {', '.join(VOICES)}")
        return value
    if key == "reply_mode":
        if value not in tuple(ReplyMode):
            raise ValueError(f"reply_mode must be one of {', '.join(ReplyMode)}")
        return ReplyMode(value)
    if key == "tools":
        if not isinstance(value, list) or any(t not in TOOL_CHOICES for t in value):
            raise ValueError(f"tools must be a list of {', '.join(TOOL_CHOICES)}")
        return tuple(value)
    if key == "fps":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("fps must be a number")
        return validate_fps(float(value))
    raise ValueError(f"unknown key {key!r}; profiles have {', '.join(_KEYS)}")


def from_json(data: Any, *, text: str = "", path: Path = Path("<profile>")) -> Profile:
    """A Profile from parsed JSON; ProfileError names the file and line of what is wrong."""
    if not isinstance(data, dict):
        raise ProfileError(ProfileProblem(path, 1, "a profile is a JSON object {...}"))
    values: dict[str, Any] = {}
    for key, raw in data.items():
        try:
            values[key] = _check_value(key, raw)
        except (ValueError, ConfigError) as exc:
            problem = ProfileProblem(path, _line_of(text, key), f"{key}: {exc}")
            raise ProfileError(problem) from exc
    if not str(values.get("name") or "").strip():
        raise ProfileError(ProfileProblem(path, _line_of(text, "name"), "the profile has no name"))
    values["name"] = values["name"].strip()
    return Profile(**values)


def _parse(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (column {exc.colno})"
        raise ProfileError(ProfileProblem(path, exc.lineno, message)) from exc


def read_profiles_file(path: Path) -> list[Profile]:
    """One profile, a list of them, or an export ({"liveview_profiles": 1, "profiles": [...]})."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(ProfileProblem(path, 0, f"cannot be read ({exc})")) from exc
    data = _parse(text, path)
    if isinstance(data, dict) and EXPORT_KEY in data:
        data = data.get("profiles")
    items = data if isinstance(data, list) else [data]
    return [from_json(item, text=text, path=path) for item in items]


# -- the folder -----------------------------------------------------------------------------------


def _merge(found: Iterable[Profile]) -> tuple[Profile, ...]:
    by_name = {p.name.casefold(): p for p in BUILTIN_PROFILES}
    for profile in found:
        by_name[profile.name.casefold()] = profile
    builtin = [by_name.pop(p.name.casefold()) for p in BUILTIN_PROFILES]
    return (*builtin, *sorted(by_name.values(), key=lambda p: p.name.casefold()))


def load_profiles(folder: Path | None = None) -> ProfileSet:
    """Built-ins and every readable profile file; the broken ones are named in `problems`."""
    folder = folder or profiles_folder()
    found: list[Profile] = []
    problems: list[ProfileProblem] = []
    paths = sorted(folder.glob(f"*{PROFILE_SUFFIX}")) if folder.is_dir() else []
    for path in paths:
        try:
            found.extend(read_profiles_file(path))
        except ProfileError as exc:
            problems.append(exc.problem)
    return ProfileSet(_merge(found), tuple(problems))


def file_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "profile"
    return slug + PROFILE_SUFFIX


def _write(path: Path, data: object) -> None:
    """Whole or not at all: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        message = f"could not be written ({exc.strerror})"
        raise ProfileError(ProfileProblem(path, 0, message)) from exc


def save_profile(profile: Profile, folder: Path | None = None) -> Path:
    path = (folder or profiles_folder()) / file_name(profile.name)
    _write(path, to_json(profile))
    return path


def delete_profile(name: str, folder: Path | None = None) -> bool:
    """Delete the user's file for `name` (a built-in comes back as shipped)."""
    path = (folder or profiles_folder()) / file_name(name)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def export_profiles(profiles: Sequence[Profile], path: Path) -> None:
    _write(path, {EXPORT_KEY: 1, "profiles": [to_json(p) for p in profiles]})


def import_profiles(path: Path, folder: Path | None = None) -> list[Profile]:
    """Read every profile in `path` and save each one; nothing is saved if any is broken."""
    profiles = read_profiles_file(path)
    for profile in profiles:
        save_profile(profile, folder)
    return profiles


# -- applying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedProfile:
    settings: SessionSettings
    video: VideoSettings
    source: str | None  # the profile's default source (None: keep the current one)
    notes: tuple[str, ...]  # what the user should know (a model the backend does not serve)


def backend_serves(backend: Backend, model: str) -> bool:
    model_id = bare_id(model)
    if backend is Backend.LOCAL:
        return model_id == LOCAL_MODEL
    if backend not in CATALOGUE_BACKENDS:
        return False
    info = lookup(model_id)
    return info.verified and info.live and info.status is not Status.RETIRED


def _model_and_instruction(
    profile: Profile, settings: SessionSettings
) -> tuple[str, str | None, tuple[str, ...]]:
    instruction = profile.system_instruction or settings.system_instruction
    if profile.model is None:
        return settings.model, instruction, ()
    if backend_serves(settings.backend, profile.model):
        return profile.model, instruction, ()
    note = (
        f"{profile.name}: {profile.model} is not served by the {settings.backend.value} "
        f"backend; {settings.model} follows an instruction instead."
    )
    return settings.model, profile.instruction_without_model or instruction, (note,)


def apply_profile(
    profile: Profile, settings: SessionSettings, video: VideoSettings
) -> AppliedProfile:
    """The settings with the profile on top. Pure; raises nothing for a validated profile."""
    model, instruction, notes = _model_and_instruction(profile, settings)
    changes: dict[str, Any] = {"model": model, "system_instruction": instruction}
    if profile.voice is not None:
        changes["voice"] = profile.voice
    if profile.language is not None:
        changes["language"] = profile.language
    if profile.reply_mode is not None:
        changes["audio_replies"] = profile.reply_mode is ReplyMode.AUDIO
    if profile.tools is not None:
        changes.update(
            google_search="search" in profile.tools,
            code_execution="code" in profile.tools,
            functions="functions" in profile.tools,
        )
    if profile.source is not None:
        changes["video_enabled"] = profile.source.strip().lower() != "none"
    new_video = video if profile.fps is None else replace(video, fps=profile.fps)
    return AppliedProfile(replace(settings, **changes), new_video, profile.source, notes)
