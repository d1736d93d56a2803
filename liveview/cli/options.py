"""Options shared by the window and headless mode, and how they become SessionSettings."""

from __future__ import annotations

import argparse

from liveview.core.session_audio import AudioPlan
from liveview.core.settings import (
    VOICES,
    Backend,
    SessionSettings,
    choose_backend,
    default_model,
)
from liveview.core.tool_declarations import TOOL_CHOICES, parse_tools
from liveview.core.video_pipeline import VideoSettings
from liveview.protocol.catalogue import MEDIA_RESOLUTIONS, STABLE_MODEL, THINKING_LEVELS


def add_session_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("session")
    g.add_argument(
        "--backend",
        choices=[b.value for b in Backend],
        help="gemini (needs GEMINI_API_KEY or a stored key), vertex, custom (--url), "
        "or local (the built-in offline server). Default: gemini when a key is "
        "configured, else local.",
    )
    g.add_argument("--url", help="a Live-compatible ws:// or wss:// endpoint (implies custom)")
    g.add_argument(
        "--model",
        help=f"model id (default {STABLE_MODEL}; liveview-local for the local server); "
        "`liveview doctor` lists the models a key can use",
    )
    g.add_argument("--voice", choices=VOICES, metavar="VOICE", help="one of the 30 voices")
    g.add_argument("--language", help="BCP-47 language code for speech, e.g. en-US")
    g.add_argument("--system", help="system instruction")
    g.add_argument(
        "--no-audio",
        action="store_true",
        help="text replies: on audio-only models (all of today's) the reply's transcript, "
        "with nothing played",
    )
    g.add_argument(
        "--thinking",
        choices=THINKING_LEVELS,
        help="how much the model thinks, for models that take it "
        "(gemini-3.8-live-extended-thinking: low, medium, high)",
    )
    g.add_argument(
        "--media-resolution",
        choices=MEDIA_RESOLUTIONS,
        help="detail the model sees in each frame: low (64 tokens a frame) or medium/high "
        "(256 on Gemini 3.x)",
    )
    g.add_argument(
        "--transcription-language",
        metavar="CODES",
        help="comma-separated BCP-47 codes for transcribing your speech (e.g. en-US,de-DE), "
        "where the model takes them",
    )
    g.add_argument(
        "--push-to-talk",
        action="store_true",
        help="turn automatic voice detection off; talk while a key is held",
    )

    t = parser.add_argument_group("tools")
    t.add_argument(
        "--tools",
        metavar="LIST",
        help=f"tools the model may use: a comma-separated list of {', '.join(TOOL_CHOICES)} "
        "(Google Search grounding, code execution, liveview's functions: snapshot, zoom, "
        "sources, pause), or none (default)",
    )
    t.add_argument(
        "--no-source-switch",
        action="store_true",
        help="do not let the model switch the video source (switch_source answers an error)",
    )

    v = parser.add_argument_group("video")
    v.add_argument(
        "--source",
        default=None,
        help="none | screen[:N] | window:TITLE | camera[:N] | file:PATH | url:URL | test",
    )
    v.add_argument("--region", help="X,Y,W,H: a part of the screen, in screen coordinates")
    v.add_argument("--fps", type=float, help="frames per second sent (0.2-5, default 1)")
    v.add_argument("--max-side", type=int, help="longest side of a sent frame in px (default 1024)")
    v.add_argument("--jpeg-quality", type=int, help="JPEG quality 1-100 (default 80)")
    v.add_argument(
        "--change-threshold",
        type=float,
        help="skip frames where less than this fraction of the picture changed (0-1, default 0: "
        "any visible change)",
    )

    a = parser.add_argument_group("audio")
    a.add_argument(
        "--mic",
        dest="mic",
        action="store_true",
        default=None,
        help="send the microphone (default in the window)",
    )
    a.add_argument("--no-mic", dest="mic", action="store_false")
    a.add_argument("--mic-device", help="microphone name (see --list-devices)")
    a.add_argument("--speaker-device", help="speaker name (see --list-devices)")
    a.add_argument(
        "--echo",
        choices=["cancel", "half-duplex", "off"],
        help="echo handling: cancel (default), half-duplex, off (headphones)",
    )


def settings_from_args(args: argparse.Namespace, *, api_key: str | None) -> SessionSettings:
    """This run's settings (the backend rule is core/settings.choose_backend)."""
    backend = choose_backend(args.backend, args.url, bool(api_key))
    languages = getattr(args, "transcription_language", None) or ""
    kwargs: dict[str, object] = {
        "backend": backend,
        "url": args.url,
        "api_key": api_key if backend is not Backend.LOCAL else None,
        "model": args.model or default_model(backend),
        "voice": args.voice,
        "language": args.language,
        "system_instruction": args.system,
        "audio_replies": not args.no_audio,
        "thinking": getattr(args, "thinking", None),
        "media_resolution": getattr(args, "media_resolution", None),
        "transcription_languages": tuple(c.strip() for c in languages.split(",") if c.strip()),
        "push_to_talk": bool(args.push_to_talk),
        "video_enabled": bool(args.source and args.source != "none"),
    }
    tools = parse_tools(getattr(args, "tools", None))  # ConfigError names the choices
    kwargs.update(
        google_search=tools.google_search,
        code_execution=tools.code_execution,
        functions=tools.functions,
        allow_source_switch=not getattr(args, "no_source_switch", False),
    )
    return SessionSettings(**kwargs)  # type: ignore[arg-type]


def audio_plan_from_args(args: argparse.Namespace, *, headless: bool) -> AudioPlan:
    """Headless sends the mic only with --mic (scripts should not listen by surprise); the
    window sends it unless --no-mic. Spoken replies play unless --no-audio."""
    mic = args.mic if args.mic is not None else not headless
    return AudioPlan(
        mic=bool(mic) or bool(args.push_to_talk),
        speaker=not args.no_audio,
        mic_device=args.mic_device,
        speaker_device=args.speaker_device,
        echo=args.echo or "cancel",
    )


def video_settings_from_args(args: argparse.Namespace) -> VideoSettings:
    """--fps/--max-side/--jpeg-quality/--change-threshold over the defaults (validated)."""
    overrides = {
        name: getattr(args, name)
        for name in ("fps", "max_side", "jpeg_quality", "change_threshold")
        if getattr(args, name, None) is not None
    }
    return VideoSettings(**overrides)
