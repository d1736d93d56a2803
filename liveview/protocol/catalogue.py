"""The Live models liveview knows, and what each one takes: one table, read by the client's
settings and enforced by the local server.

It lives in protocol/ (standard library only) because both sides need it and the server may not
import core/. The facts are the model pages and migration guides of December 2026
(../shared/PROTOCOL.md, "Models"); tests pin each rule independently of this table.

A model id the table does not know (a newer one from models.list) gets `conservative()`: AUDIO
replies with transcription, no optional field sent unless the user asked for it, and what the
user asked for is sent unverified: the service's own answer decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from types import MappingProxyType

INVALID_ARGUMENT = "Request contains an invalid argument."
STABLE_MODEL = "gemini-3.8-live"
LOCAL_MODEL = "liveview-local"


class Status(Enum):
    STABLE = "stable"
    PREVIEW = "preview"
    LEGACY = "legacy"  # still served, superseded: say so
    RETIRED = "retired"  # no longer served: the service answers 1008 "not found"


class Thinking(Enum):
    NONE = "none"  # generationConfig.thinkingConfig is refused
    LEVEL = "level"  # thinkingConfig.thinkingLevel (Gemini 3.x)
    BUDGET = "budget"  # thinkingConfig.thinkingBudget (Gemini 2.5)


class FunctionMode(Enum):
    SYNC = "sync"  # behavior BLOCKING: the model waits for the answer
    ASYNC = "async"  # behavior NON_BLOCKING: the model goes on; scheduling says when it hears


class Proactivity(Enum):
    UNSUPPORTED = "unsupported"  # setup.proactivity is not taken
    OPTIONAL = "optional"  # proactiveAudio true or false
    ALWAYS_ON = "always_on"  # always on: proactiveAudio false is an error


# What the user may ask for, and what is sent for it (Gemini 2.5 budgets: tokens of thinking).
THINKING_LEVELS = ("minimal", "low", "medium", "high")
THINKING_BUDGETS: Mapping[str, int] = MappingProxyType(
    {"minimal": 0, "low": 1024, "medium": 8192, "high": 24576}
)
MEDIA_RESOLUTIONS = ("low", "medium", "high")
AUDIO_TOKENS_PER_S = 25


@dataclass(frozen=True)
class FrameTokens:
    """Tokens one video frame costs, by generationConfig.mediaResolution."""

    unset: int
    low: int
    medium: int
    high: int

    def at(self, media_resolution: str | None) -> int:
        return int(getattr(self, media_resolution or "unset", self.unset))


FRAME_TOKENS_3X = FrameTokens(unset=256, low=64, medium=256, high=256)
FRAME_TOKENS_25 = FrameTokens(unset=258, low=64, medium=256, high=258)


@dataclass(frozen=True)
class Price:
    """Estimated USD per million tokens, with where and when it was read."""

    text_in: float
    audio_in: float
    image_in: float
    text_out: float
    audio_out: float
    as_of: str  # ISO date the price was read
    source: str  # the page it was read from


@dataclass(frozen=True)
class ModelInfo:
    id: str  # bare id, as models.list names it after "models/"
    display_name: str
    status: Status
    # responseModalities TEXT accepted; when not, how the service refuses it (code, reason).
    text_replies: bool = False
    text_rejection: tuple[int, str] = (1007, INVALID_ARGUMENT)
    thinking: Thinking = Thinking.NONE
    thinking_levels: tuple[str, ...] = ()
    function_modes: frozenset[FunctionMode] = frozenset({FunctionMode.SYNC})
    # A function declared without `behavior` is NON_BLOCKING (3.8) rather than BLOCKING.
    non_blocking_by_default: bool = False
    google_search: bool = True
    code_execution: bool = False  # no Live model runs code (December 2026)
    media_resolution: bool = True
    proactivity: Proactivity = Proactivity.UNSUPPORTED
    affective_dialog: bool = False
    transcription_languages: bool = False  # inputAudioTranscription.languageCodes
    interaction_status: bool = False  # serverContent.interactionStatus (background reasoning)
    translation: bool = False  # speech to speech translation (translationConfig)
    # setup.historyConfig.initialHistoryInClientContent: earlier turns may be seeded as
    # clientContent turns with their roles before the first new turn (Continue).
    history_in_client_content: bool = False
    input_token_limit: int = 131_072
    output_token_limit: int = 65_536
    frame_tokens: FrameTokens = FRAME_TOKENS_3X
    price: Price | None = None
    replacement: str = STABLE_MODEL  # what to use instead when this one is retired or legacy
    notes: str = ""
    # False: an id the table does not know; its capabilities are guesses the service decides.
    verified: bool = True
    live: bool = True  # supports bidiGenerateContent (models.list lists others too)

    @property
    def takes_behavior(self) -> bool:
        """functionDeclarations[].behavior may be sent (the model has non-blocking calls)."""
        return FunctionMode.ASYNC in self.function_modes

    @property
    def blocking_allowed(self) -> bool:
        return FunctionMode.SYNC in self.function_modes

    def frame_cost(self, media_resolution: str | None) -> int:
        """Tokens per frame at `media_resolution` ("low" | "medium" | "high" | None)."""
        return self.frame_tokens.at(media_resolution)


# Read 2026-12-01. Google's pricing page gives no per-modality Live figures for 3.8; Vercel's AI
# Gateway (which links it) lists one input and one output price. An estimate, labelled so.
PRICE_3_8 = Price(
    text_in=0.75, audio_in=0.75, image_in=0.75, text_out=4.50, audio_out=4.50,
    as_of="2026-12-01", source="https://vercel.com/ai-gateway/models/gemini-3.8-live",
)  # fmt: skip

_3_8 = ModelInfo(
    id=STABLE_MODEL,
    display_name="Gemini 3.8 Live",
    status=Status.STABLE,
    function_modes=frozenset({FunctionMode.SYNC, FunctionMode.ASYNC}),
    non_blocking_by_default=True,
    proactivity=Proactivity.ALWAYS_ON,
    transcription_languages=True,
    history_in_client_content=True,
    price=PRICE_3_8,
    notes="The default. Replies in audio; text comes from the transcription of the reply.",
)

_KNOWN: tuple[ModelInfo, ...] = (
    _3_8,
    replace(
        _3_8,
        id="gemini-3.8-live-extended-thinking",
        display_name="Gemini 3.8 Live Extended Thinking",
        thinking=Thinking.LEVEL,
        thinking_levels=("low", "medium", "high"),
        function_modes=frozenset({FunctionMode.ASYNC}),
        interaction_status=True,
        price=None,  # no price published for it yet
        notes="Reasons in the background and may speak several times for one request.",
    ),
    replace(
        _3_8,
        id=LOCAL_MODEL,
        display_name="liveview local server",
        google_search=False,
        price=None,  # free: nothing leaves the machine
        notes="The built-in offline server: local analysis, no language model. It keeps "
        "gemini-3.8-live's rules so that offline use exercises the same paths.",
    ),
    ModelInfo(
        id="gemini-3.1-flash-live-preview",
        display_name="Gemini 3.1 Flash Live (preview)",
        status=Status.LEGACY,
        # Observed: TEXT closes 1011, which reads like a transient fault: never send it.
        text_rejection=(1011, "Internal error encountered."),
        thinking=Thinking.LEVEL,
        thinking_levels=THINKING_LEVELS,
        notes="Legacy preview; functions are blocking only.",
    ),
    ModelInfo(
        id="gemini-2.5-flash-native-audio-preview-12-2025",
        display_name="Gemini 2.5 Flash Native Audio (preview 12-2025)",
        status=Status.PREVIEW,
        text_rejection=(1007, "Cannot extract voices from a non-audio request."),
        thinking=Thinking.BUDGET,
        thinking_levels=THINKING_LEVELS,
        function_modes=frozenset({FunctionMode.SYNC, FunctionMode.ASYNC}),
        proactivity=Proactivity.OPTIONAL,
        affective_dialog=True,
        frame_tokens=FRAME_TOKENS_25,
        input_token_limit=131_072,
        output_token_limit=8_192,
    ),
    ModelInfo(
        id="gemini-3.5-live-translate-preview",
        display_name="Gemini 3.5 Live Translate (preview)",
        status=Status.PREVIEW,
        translation=True,
        google_search=False,
        notes="Speech to speech translation: say the target language in the instruction.",
    ),
)
# Other names of a model above: (alias, target, display name).
_ALIASES = (
    (
        "gemini-2.5-flash-native-audio-latest",
        "gemini-2.5-flash-native-audio-preview-12-2025",
        "Gemini 2.5 Flash Native Audio (latest)",
    ),
    (
        "gemini-live-2.5-flash-native-audio",
        "gemini-2.5-flash-native-audio-preview-12-2025",
        "Gemini 2.5 Flash Native Audio (Vertex AI's name)",
    ),
)
# Served once, retired since: the service answers 1008 "... is not found for API version".
_RETIRED = (
    "gemini-2.0-flash-exp",
    "gemini-2.0-flash-live-001",
    "gemini-live-2.5-flash-preview",
    "gemini-2.5-flash-preview-native-audio-dialog",
    "gemini-2.5-flash-exp-native-audio-thinking-dialog",
    "gemini-2.5-flash-native-audio-preview-09-2025",
)
# Models models.list also returns that cannot hold a live session (for the server's list and
# its 1008 "not supported for bidiGenerateContent").
_NOT_LIVE = (
    ModelInfo(id="gemini-3.8-flash", display_name="Gemini 3.8 Flash", status=Status.STABLE,
              live=False),
    ModelInfo(id="gemini-3.5-transcribe-live", display_name="Gemini 3.5 Transcribe Live",
              status=Status.PREVIEW, live=False,
              notes="Transcription only: it cannot hold a conversation."),
)  # fmt: skip


def _table() -> dict[str, ModelInfo]:
    table = {m.id: m for m in (*_KNOWN, *_NOT_LIVE)}
    for alias, target, name in _ALIASES:
        table[alias] = replace(table[target], id=alias, display_name=name)
    for model_id in _RETIRED:
        table[model_id] = ModelInfo(
            id=model_id, display_name=model_id, status=Status.RETIRED, notes="Retired."
        )
    return table


CATALOGUE: Mapping[str, ModelInfo] = MappingProxyType(_table())


def bare_id(model: str) -> str:
    """`models/x`, `projects/p/locations/l/publishers/google/models/x`, `x` -> `x`."""
    return model.strip().rsplit("/", 1)[-1]


def conservative(model_id: str) -> ModelInfo:
    """What liveview assumes of a live model it does not know."""
    return ModelInfo(
        id=model_id,
        display_name=model_id,
        status=Status.PREVIEW,
        thinking=Thinking.LEVEL,
        thinking_levels=THINKING_LEVELS,
        transcription_languages=True,
        verified=False,
        notes="Not in liveview's catalogue: settings are sent as asked; the service decides.",
    )


def lookup(model: str) -> ModelInfo:
    """The catalogue's entry for `model` (any resource-name form), or a conservative guess."""
    model_id = bare_id(model)
    return CATALOGUE.get(model_id) or conservative(model_id)


def known(model: str) -> bool:
    return bare_id(model) in CATALOGUE


def live_models() -> list[ModelInfo]:
    """The models a user may pick for a session, stable first, retired and non-live left out."""
    order = {Status.STABLE: 0, Status.PREVIEW: 1, Status.LEGACY: 2}
    picks = [m for m in CATALOGUE.values() if m.live and m.status in order]
    return sorted(picks, key=lambda m: (order[m.status], m.id != STABLE_MODEL, m.id))
