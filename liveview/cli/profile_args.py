"""`--profile NAME` for the session commands: the profile under the command line.

A profile sets the model, voice, instruction, tools, source and frame rate; an option given on
the command line wins over the profile's value (`liveview headless --profile "Pair programmer"
--voice Puck` keeps the programmer but speaks with Puck).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, replace

from liveview.core.profiles import Profile, apply_profile, load_profiles
from liveview.core.settings import SessionSettings
from liveview.core.tool_declarations import parse_tools
from liveview.core.video_pipeline import VideoSettings
from liveview.errors import ConfigError, UsageError


@dataclass(frozen=True)
class ProfiledRun:
    settings: SessionSettings
    video: VideoSettings
    source: str | None
    profile: str  # its name ("" without one)
    notes: tuple[str, ...]  # e.g. the translate model the backend does not serve


def _tools(settings: SessionSettings, args: argparse.Namespace) -> SessionSettings:
    chosen = parse_tools(args.tools)
    return replace(
        settings,
        google_search=chosen.google_search,
        code_execution=chosen.code_execution,
        functions=chosen.functions,
    )


# Options that, when given, win over the profile: (option attribute, how it goes back on).
_EXPLICIT: tuple[
    tuple[str, Callable[[SessionSettings, argparse.Namespace], SessionSettings]], ...
] = (
    ("model", lambda s, a: replace(s, model=a.model)),
    ("voice", lambda s, a: replace(s, voice=a.voice)),
    ("language", lambda s, a: replace(s, language=a.language)),
    ("system", lambda s, a: replace(s, system_instruction=a.system)),
    ("tools", _tools),
)


def profile_from_args(args: argparse.Namespace) -> Profile | None:
    """UsageError (exit 2) for a name no profile has; broken profile files are skipped here
    (`liveview profiles` would name them)."""
    name = getattr(args, "profile", None)
    if not name:
        return None
    try:
        return load_profiles().require(name)
    except ConfigError as exc:  # an unknown name: the same words, as a usage error
        raise UsageError(exc.user_message) from exc


def with_profile(
    args: argparse.Namespace, settings: SessionSettings, video: VideoSettings
) -> ProfiledRun:
    profile = profile_from_args(args)
    if profile is None:
        return ProfiledRun(settings, video, args.source, "", ())
    applied = apply_profile(profile, settings, video)
    settings = applied.settings
    for option, put_back in _EXPLICIT:
        if getattr(args, option, None) is not None:
            settings = put_back(settings, args)
    if args.no_audio:
        settings = replace(settings, audio_replies=False)
    source = args.source if args.source is not None else applied.source
    settings = replace(settings, video_enabled=bool(source and source.strip().lower() != "none"))
    new_video = applied.video if args.fps is None else replace(applied.video, fps=args.fps)
    return ProfiledRun(settings, new_video, source, profile.name, applied.notes)
