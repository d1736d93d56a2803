"""What the user chose, and what it means for the wire: the setup message and the endpoint."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from enum import Enum

from liveview.core.tool_declarations import CALL_POLICIES, DEFAULT_POLICY, LIVEVIEW_FUNCTIONS
from liveview.errors import ConfigError, Setting, UnsupportedSettingError
from liveview.protocol.catalogue import (
    LOCAL_MODEL,
    MEDIA_RESOLUTIONS,
    STABLE_MODEL,
    THINKING_BUDGETS,
    ModelInfo,
    Thinking,
    lookup,
)
from liveview.protocol.messages import ActivityDetection, FunctionDeclaration, SetupConfig

DEFAULT_MODEL = STABLE_MODEL
API_KEY_ENV_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")

VOICES = (
    "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe", "Autonoe",
    "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib", "Rasalgethi",
    "Laomedeia", "Achernar", "Alnilam", "Schedar", "Gacrux", "Pulcherrima", "Achird",
    "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip


class Backend(Enum):
    LOCAL = "local"  # the embedded local Live server (no key, no network)
    GEMINI = "gemini"  # Gemini API (API key or ephemeral token)
    VERTEX = "vertex"  # Vertex AI (OAuth bearer token)
    CUSTOM = "custom"  # any Live-compatible ws(s):// URL


def choose_backend(explicit: str | None, url: str | None, has_key: bool) -> Backend:
    """The backend rule, once for the window and the command line: an explicit choice wins;
    a URL alone means a custom backend; else the Gemini API with a key, the local server
    without one."""
    if explicit:
        return Backend(explicit)
    if url:
        return Backend.CUSTOM
    return Backend.GEMINI if has_key else Backend.LOCAL


def default_model(backend: Backend) -> str:
    """The local server's own model offline; today's stable Live model everywhere else."""
    return LOCAL_MODEL if backend is Backend.LOCAL else DEFAULT_MODEL


@dataclass(frozen=True)
class SessionSettings:
    backend: Backend = Backend.LOCAL
    url: str | None = None  # custom URL, or an already running local server
    api_key: str | None = None
    vertex_location: str = "us-central1"
    vertex_project: str = ""
    model: str = DEFAULT_MODEL
    voice: str | None = None
    language: str | None = None
    system_instruction: str | None = None
    # Spoken replies. Off: text replies, which on an audio-only model (all of today's) means
    # AUDIO plus outputAudioTranscription with playback muted: the transcript is the reply.
    audio_replies: bool = True
    thinking: str | None = None  # minimal | low | medium | high, for models that take it
    media_resolution: str | None = None  # low | medium | high (tokens per frame: catalogue)
    transcription_languages: tuple[str, ...] = ()  # BCP-47 codes for inputAudioTranscription
    video_enabled: bool = False
    # Compression is forced on with video (the service ends audio+video sessions at ~2 min
    # without it); this setting turns it on for audio-only sessions too.
    context_compression: bool = True
    push_to_talk: bool = False
    google_search: bool = False
    code_execution: bool = False
    function_declarations: tuple[FunctionDeclaration, ...] = ()
    # liveview's own functions (take_snapshot, zoom_to_region, ... see core/tool_declarations).
    functions: bool = False
    # Read live by the tool handler (no new session needed): may the model switch the source?
    allow_source_switch: bool = True
    extra_setup: dict[str, object] = field(default_factory=dict)

    def with_handle(self, handle: str | None) -> SetupConfig:
        return replace(self.setup_config(), resumption_handle=handle)

    @property
    def model_info(self) -> ModelInfo:
        return lookup(self.model)

    @property
    def text_modality(self) -> bool:
        """responseModalities TEXT is sent: only when text replies were asked for and the
        model takes them (no model of today does)."""
        return not self.audio_replies and self.model_info.text_replies

    def setup_config(self) -> SetupConfig:
        """Raises ConfigError for a bad value, UnsupportedSettingError for a setting the
        catalogue says this model does not take (naming the model and the setting)."""
        if self.voice is not None and self.voice not in VOICES:
            raise ConfigError(
                f"Unknown voice {self.voice!r}. Choose one of: {', '.join(VOICES)}.",
                setting=Setting.VOICE,
            )
        refuse_unsupported(self)
        info = self.model_info
        level = self.thinking.lower() if self.thinking else None
        return SetupConfig(
            model=self.model,
            response_modalities=("TEXT",) if self.text_modality else ("AUDIO",),
            # A voice on a text-only request closes with 1007 "Cannot extract voices".
            voice_name=None if self.text_modality else self.voice,
            language_code=self.language,
            media_resolution=_media_resolution(self.media_resolution),
            thinking_level=level.upper() if level and info.thinking is Thinking.LEVEL else None,
            thinking_budget=THINKING_BUDGETS[level]
            if level and info.thinking is Thinking.BUDGET
            else None,
            system_instruction=self.system_instruction,
            function_declarations=self.declared_functions(),
            google_search=self.google_search,
            code_execution=self.code_execution,
            activity_detection=ActivityDetection(disabled=True) if self.push_to_talk else None,
            session_resumption=True,
            context_compression=self.context_compression or self.video_enabled,
            input_transcription=True,
            input_transcription_languages=self.transcription_languages,
            # The panel's text of a spoken reply (and the whole reply when playback is muted).
            output_transcription=not self.text_modality,
            # Where the model takes seeded turns with roles, say so at every setup: Continue
            # seeds the first connection, a stale handle any fresh one (core/seed.py).
            history_in_client_content=info.history_in_client_content,
            extra=dict(self.extra_setup),
        )

    def declared_functions(self) -> tuple[FunctionDeclaration, ...]:
        """liveview's functions (with the behavior that fits each on this model) and others."""
        ours = tuple(self._with_behavior(f) for f in LIVEVIEW_FUNCTIONS) if self.functions else ()
        taken = {f.name for f in ours}
        return ours + tuple(f for f in self.function_declarations if f.name not in taken)

    def _with_behavior(self, decl: FunctionDeclaration) -> FunctionDeclaration:
        info = self.model_info
        if not info.takes_behavior:
            return decl  # blocking-only models: no behavior field
        blocking = CALL_POLICIES.get(decl.name, DEFAULT_POLICY).blocking and info.blocking_allowed
        return replace(decl, behavior="BLOCKING" if blocking else "NON_BLOCKING")

    def is_non_blocking(self, function_name: str) -> bool:
        """The model goes on without waiting for this function's answer (so the answer carries
        a scheduling)."""
        decl = next((f for f in self.declared_functions() if f.name == function_name), None)
        if decl is None or decl.behavior is None:
            return self.model_info.non_blocking_by_default and self.model_info.takes_behavior
        return decl.behavior == "NON_BLOCKING"


def _media_resolution(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in MEDIA_RESOLUTIONS:
        raise ConfigError(
            f"Unknown media resolution {value!r}: use one of {', '.join(MEDIA_RESOLUTIONS)}.",
            setting=Setting.MEDIA_RESOLUTION,
        )
    return f"MEDIA_RESOLUTION_{value.upper()}"


def unavailable(settings: SessionSettings) -> dict[Setting, str]:
    """The settings this model does not take at all, each with the reason (the window greys
    them out). A model the catalogue does not know refuses nothing: the service decides."""
    info = settings.model_info
    if not info.verified:
        return {}
    takes = {
        Setting.CODE_EXECUTION: info.code_execution,
        Setting.GOOGLE_SEARCH: info.google_search,
        Setting.THINKING: info.thinking is not Thinking.NONE,
        Setting.MEDIA_RESOLUTION: info.media_resolution,
        Setting.TRANSCRIPTION_LANGUAGE: info.transcription_languages,
    }
    return {setting: why_not(info, setting) for setting, ok in takes.items() if not ok}


# The field of SessionSettings each optional setting lives in, and its "off" value.
_OPTIONAL_FIELDS: dict[Setting, tuple[str, object]] = {
    Setting.CODE_EXECUTION: ("code_execution", False),
    Setting.GOOGLE_SEARCH: ("google_search", False),
    Setting.THINKING: ("thinking", None),
    Setting.MEDIA_RESOLUTION: ("media_resolution", None),
    Setting.TRANSCRIPTION_LANGUAGE: ("transcription_languages", ()),
}


def without_unavailable(settings: SessionSettings) -> SessionSettings:
    """The window's rule: a setting this model cannot take is greyed out in Settings, with
    its reason, and left out of the session (the stored choice is kept for other models)."""
    missing = unavailable(settings)
    off = {field: value for s, (field, value) in _OPTIONAL_FIELDS.items() if s in missing}
    level = (settings.thinking or "").lower()
    if (
        level
        and Setting.THINKING not in missing
        and level not in settings.model_info.thinking_levels
    ):
        off["thinking"] = None if settings.model_info.verified else settings.thinking
    return replace(settings, **off)  # type: ignore[arg-type]


def unsupported_settings(settings: SessionSettings) -> list[tuple[Setting, str]]:
    """The *chosen* settings this model does not take, each with the reason (the command
    line's exit 2)."""
    info = settings.model_info
    missing = unavailable(settings)
    chosen = {
        Setting.CODE_EXECUTION: settings.code_execution,
        Setting.GOOGLE_SEARCH: settings.google_search,
        Setting.THINKING: bool(settings.thinking),
        Setting.MEDIA_RESOLUTION: bool(settings.media_resolution),
        Setting.TRANSCRIPTION_LANGUAGE: bool(settings.transcription_languages),
    }
    found = [(s, missing[s]) for s, on in chosen.items() if on and s in missing]
    level = (settings.thinking or "").lower()
    wrong_level = level and level not in info.thinking_levels
    if wrong_level and info.verified and Setting.THINKING not in missing:
        found.append((Setting.THINKING, why_not(info, Setting.THINKING)))
    return found


def why_not(info: ModelInfo, setting: Setting) -> str:
    """Why `info` does not take `setting`, in words for a tooltip or an error line."""
    if setting is Setting.CODE_EXECUTION:
        return f"{info.id} cannot run code: no Live model has code execution."
    if setting is Setting.GOOGLE_SEARCH:
        if info.id == LOCAL_MODEL:
            return f"{info.id}, the built-in local server, has no network, so it cannot search."
        return f"{info.id} has no Google Search grounding."
    if setting is Setting.THINKING:
        if info.thinking is Thinking.NONE:
            return f"{info.id} takes no thinking setting."
        return f"{info.id} takes the thinking levels {', '.join(info.thinking_levels)}."
    if setting is Setting.MEDIA_RESOLUTION:
        return f"{info.id} takes no media resolution."
    if setting is Setting.TRANSCRIPTION_LANGUAGE:
        return f"{info.id} takes no transcription languages."
    return f"{info.id} does not take {setting.label}."


def refuse_unsupported(settings: SessionSettings) -> None:
    """Raise UnsupportedSettingError for the first setting the model does not take."""
    found = unsupported_settings(settings)
    if found:
        setting, reason = found[0]
        raise UnsupportedSettingError(
            f"{reason} Change Settings > {setting.value} or pick another model.", setting=setting
        )


# Settings a running session reads live. Every other field is sent in `setup` (or picks the
# endpoint), which goes out once per session: changing it takes a new session. That includes
# the tools (googleSearch, codeExecution, functionDeclarations): resuming keeps the old setup.
LIVE_SETTINGS = frozenset({"allow_source_switch"})


def changes_needing_new_session(old: SessionSettings, new: SessionSettings) -> tuple[str, ...]:
    """Names of the fields that differ and only take effect in a new session (for the UI's
    "this applies to the next session" note)."""
    return tuple(
        f.name
        for f in fields(SessionSettings)
        if f.name not in LIVE_SETTINGS and getattr(old, f.name) != getattr(new, f.name)
    )


def api_key_from_environment() -> str | None:
    """GEMINI_API_KEY / GOOGLE_API_KEY win over anything stored (DESIGN.md, Secrets)."""
    for name in API_KEY_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None
