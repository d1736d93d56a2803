"""The user's choices that outlive a run, and how they become a session.

Qt-free: the window keeps them with Qt's settings store (ui/prefs_store.py); the API key is not
among them, it lives only in the OS keychain (core/secrets.py). Command-line options override the
stored values for one run and are not saved.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from liveview.core.cost import Budget, parse_budget
from liveview.core.settings import (
    Backend,
    SessionSettings,
    choose_backend,
    default_model,
    without_unavailable,
)
from liveview.core.tool_declarations import parse_tools
from liveview.core.video_pipeline import VideoSettings
from liveview.desktop.auto_pause import DEFAULT_RULES, PauseRule, rule_from_text
from liveview.desktop.hotkeys import DEFAULT_HOTKEYS, HotkeyAction
from liveview.encode import (
    DEFAULT_CHANGE_THRESHOLD,
    DEFAULT_FPS,
    DEFAULT_JPEG_QUALITY,
    DEFAULT_MAX_SIDE_PX,
)

DEFAULT_PTT_KEY = "F8"
ECHO_MODES = ("cancel", "half-duplex", "off")
HOTKEY_FIELDS: Mapping[HotkeyAction, str] = {
    HotkeyAction.QUICK_ASK: "hotkey_quick_ask",
    HotkeyAction.TALK: "hotkey_talk",
    HotkeyAction.SNAPSHOT: "hotkey_snapshot",
    HotkeyAction.PAUSE_VIDEO: "hotkey_pause",
    HotkeyAction.SHOW_HIDE: "hotkey_show_hide",
}

# Changing one of these while a session runs only takes effect in the next session.
NEEDS_NEW_SESSION = frozenset(
    {
        "backend",
        "url",
        "model",
        "voice",
        "language",
        "system_instruction",
        "audio_replies",
        "thinking",
        "media_resolution",
        "transcription_languages",
        "vertex_project",
        "vertex_location",
        "push_to_talk",
        "mic_device",
        "speaker_device",
        "echo",
        "fps",
        "max_side",
        "jpeg_quality",
        "change_threshold",
        "google_search",
        "code_execution",
        "functions",
        "profile",
    }
)


@dataclass(frozen=True)
class Prefs:
    backend: str = ""  # "" = gemini with a key, else local (the CLI's rule)
    url: str = ""
    model: str = ""
    vertex_project: str = ""
    vertex_location: str = "us-central1"
    voice: str = ""
    language: str = ""
    system_instruction: str = ""
    audio_replies: bool = True
    thinking: str = ""  # "" = the model's default
    media_resolution: str = ""  # "" = the model's default
    transcription_languages: str = ""  # comma-separated BCP-47 codes
    push_to_talk: bool = False
    ptt_key: str = DEFAULT_PTT_KEY
    fps: float = DEFAULT_FPS
    max_side: int = DEFAULT_MAX_SIDE_PX
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    change_threshold: float = DEFAULT_CHANGE_THRESHOLD
    mic_enabled: bool = True
    mic_device: str = ""  # "" = the system default
    speaker_device: str = ""
    echo: str = "cancel"
    listen: str = "mic"  # mic | system | both (what the computer plays; audio/listen.py)
    source: str = ""  # "" = not chosen yet: the first launch takes the primary screen
    region: str = ""
    # Tools (setup.tools): a change applies to the next session; switching is read live.
    google_search: bool = False
    code_execution: bool = False
    functions: bool = True  # take_snapshot, zoom_to_region, ... (core/tool_declarations.py)
    allow_source_switch: bool = True
    # Per session: tokens ("50000") or estimated dollars ("$0.50"); "" for none (core/cost.py).
    budget: str = ""
    budget_pauses_video: bool = True
    # Global hotkeys (desktop/hotkeys.py), as typed in Settings; "" leaves the action unbound.
    hotkey_quick_ask: str = DEFAULT_HOTKEYS[HotkeyAction.QUICK_ASK]
    hotkey_talk: str = DEFAULT_HOTKEYS[HotkeyAction.TALK]
    hotkey_snapshot: str = DEFAULT_HOTKEYS[HotkeyAction.SNAPSHOT]
    hotkey_pause: str = DEFAULT_HOTKEYS[HotkeyAction.PAUSE_VIDEO]
    hotkey_show_hide: str = DEFAULT_HOTKEYS[HotkeyAction.SHOW_HIDE]
    # The desktop: the tray's one-time note, the overlay, masks, auto-pause, the first launch.
    tray_note_shown: bool = False
    overlay_opacity: float = 0.92
    overlay_click_through: bool = False
    hide_self: bool = True  # "Hide liveview from what is sent"
    auto_pause: bool = True
    # Extra window titles or applications that pause the video, one per line (the password
    # managers of desktop.auto_pause.DEFAULT_RULES always count while auto_pause is on).
    auto_pause_extra: str = ""
    first_launch_done: bool = False

    def hotkeys(self) -> dict[HotkeyAction, str]:
        """Each global hotkey action's key text (possibly "")."""
        return {action: getattr(self, name) for action, name in HOTKEY_FIELDS.items()}

    def with_hotkeys(self, keys: Mapping[HotkeyAction, str]) -> Prefs:
        changes: dict[str, Any] = {HOTKEY_FIELDS[a]: text for a, text in keys.items()}
        return replace(self, **changes)

    def pause_rules(self) -> tuple[PauseRule, ...]:
        """What pauses the video (empty when auto-pause is off)."""
        if not self.auto_pause:
            return ()
        extra = [line for line in self.auto_pause_extra.splitlines() if line.strip()]
        return (*DEFAULT_RULES, *(rule_from_text(line) for line in extra))

    # A profile's name (core/profiles.py), applied on top of the above; "" for none.
    profile: str = ""

    def budget_limit(self) -> Budget:
        """ConfigError for a budget that is neither tokens nor dollars."""
        return replace(parse_budget(self.budget), pause_video=self.budget_pauses_video)

    def changed_fields(self, other: Prefs) -> set[str]:
        return {f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)}

    def resolved_backend(self, api_key: str | None) -> Backend:
        return choose_backend(self.backend or None, self.url or None, bool(api_key))

    def model_for(self, has_key: bool) -> str:
        """The model a session would use (the backend's default when none is chosen)."""
        backend = choose_backend(self.backend or None, self.url or None, has_key)
        return self.model or default_model(backend)

    def session_settings(self, api_key: str | None) -> SessionSettings:
        """What a session started from the window uses: a setting the model cannot take is
        left out (Settings shows it greyed out with the reason)."""
        backend = self.resolved_backend(api_key)
        languages = tuple(c.strip() for c in self.transcription_languages.split(",") if c.strip())
        return without_unavailable(
            SessionSettings(
                backend=backend,
                url=self.url or None,
                api_key=api_key if backend is not Backend.LOCAL else None,
                vertex_project=self.vertex_project,
                vertex_location=self.vertex_location or "us-central1",
                model=self.model or default_model(backend),
                voice=self.voice or None,
                language=self.language or None,
                system_instruction=self.system_instruction or None,
                audio_replies=self.audio_replies,
                thinking=self.thinking or None,
                media_resolution=self.media_resolution or None,
                transcription_languages=languages,
                video_enabled=bool(self.source and self.source != "none"),
                push_to_talk=self.push_to_talk,
                google_search=self.google_search,
                code_execution=self.code_execution,
                functions=self.functions,
                allow_source_switch=self.allow_source_switch,
            )
        )

    def video_settings(self) -> VideoSettings:
        """Raises ConfigError for values out of range."""
        return VideoSettings(
            fps=self.fps,
            max_side=self.max_side,
            jpeg_quality=self.jpeg_quality,
            change_threshold=self.change_threshold,
        )


def prefs_from_args(prefs: Prefs, args: argparse.Namespace) -> Prefs:
    """The stored prefs with this run's command-line options on top."""
    over: dict[str, Any] = {}
    simple = {
        "backend": "backend",
        "url": "url",
        "model": "model",
        "voice": "voice",
        "language": "language",
        "system": "system_instruction",
        "thinking": "thinking",
        "media_resolution": "media_resolution",
        "transcription_language": "transcription_languages",
        "source": "source",
        "region": "region",
        "fps": "fps",
        "max_side": "max_side",
        "jpeg_quality": "jpeg_quality",
        "change_threshold": "change_threshold",
        "mic_device": "mic_device",
        "speaker_device": "speaker_device",
        "echo": "echo",
        "mic": "mic_enabled",
        "budget": "budget",
        "listen": "listen",
        "profile": "profile",
    }
    for arg_name, field_name in simple.items():
        value = getattr(args, arg_name, None)
        if value is not None:
            over[field_name] = value
    if getattr(args, "url", None) and not getattr(args, "backend", None):
        over["backend"] = Backend.CUSTOM.value
    if getattr(args, "no_audio", False):
        over["audio_replies"] = False
    if getattr(args, "push_to_talk", False):
        over["push_to_talk"] = True
    if getattr(args, "tools", None) is not None:
        tools = parse_tools(args.tools)
        over.update(google_search=tools.google_search, code_execution=tools.code_execution,
                    functions=tools.functions)  # fmt: skip
    if getattr(args, "no_source_switch", False):
        over["allow_source_switch"] = False
    return replace(prefs, **over)
