"""What the user chose, and what it means for the wire: the setup message and the endpoint."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from enum import Enum

from liveview.core.tool_declarations import LIVEVIEW_FUNCTIONS
from liveview.errors import ConfigError
from liveview.protocol.messages import ActivityDetection, FunctionDeclaration, SetupConfig

DEFAULT_MODEL = "gemini-3.1-flash-live-preview"
# The local server accepts any model name; it says which one it plays.
LOCAL_MODEL = "liveview-local"
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
    audio_replies: bool = True  # responseModalities AUDIO (else TEXT)
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

    def setup_config(self) -> SetupConfig:
        if self.voice is not None and self.voice not in VOICES:
            raise ConfigError(f"Unknown voice {self.voice!r}. Choose one of: {', '.join(VOICES)}.")
        return SetupConfig(
            model=self.model,
            response_modalities=("AUDIO",) if self.audio_replies else ("TEXT",),
            # A voice on a text-only request closes with 1007 "Cannot extract voices".
            voice_name=self.voice if self.audio_replies else None,
            language_code=self.language,
            system_instruction=self.system_instruction,
            function_declarations=self.declared_functions(),
            google_search=self.google_search,
            code_execution=self.code_execution,
            activity_detection=ActivityDetection(disabled=True) if self.push_to_talk else None,
            session_resumption=True,
            context_compression=self.context_compression or self.video_enabled,
            input_transcription=True,
            output_transcription=self.audio_replies,
            extra=dict(self.extra_setup),
        )

    def declared_functions(self) -> tuple[FunctionDeclaration, ...]:
        ours = LIVEVIEW_FUNCTIONS if self.functions else ()
        taken = {f.name for f in ours}
        return ours + tuple(f for f in self.function_declarations if f.name not in taken)


# Settings a running session reads live. Every other field is sent in `setup` (or picks the
# endpoint), which goes out once per session: changing it takes a new session. That includes
# the tools (googleSearch, codeExecution, functionDeclarations): resuming keeps the old setup.
LIVE_SETTINGS = frozenset({"allow_source_switch"})
TOOL_SETTINGS = ("google_search", "code_execution", "functions", "function_declarations")


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
