"""Everything about the local server's behaviour that a caller may choose."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from liveview.protocol.catalogue import CATALOGUE, ModelInfo
from liveview.server.vad import SPEECH_THRESHOLD_DBFS

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # a 4K JPEG in base64 fits with room to spare
# The embedded server (the local backend of the window and of `liveview headless`) takes its
# `audio_pacing` from here when set, e.g. 0.1 for spoken replies at ten times real time (scripted
# runs and tests that only read the transcript). Unset, or not a number >= 0: real time.
AUDIO_PACING_ENV = "LIVEVIEW_LOCAL_AUDIO_PACING"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerSettings:
    # Auth: None accepts anything; a key must arrive as x-goog-api-key, ?key=, or Authorization.
    api_key: str | None = None
    # Today's rules for every model of the catalogue (protocol/catalogue.py): unknown, retired
    # and non-live models close 1008 "not found", and a setting the model refuses closes with
    # the service's code (setup_rules.py). False is the relaxed mode some tests need: any model
    # name, any modality. Never the default.
    strict: bool = True
    # More model ids to answer with the 1008 "not found" close, on top of the catalogue's.
    retired_models: frozenset[str] = frozenset()
    # Models the server plays on top of the catalogue (a model newer than a client knows).
    extra_models: tuple[ModelInfo, ...] = ()
    # Connection lifetime: the service recycles connections after ~10 min. None: unlimited.
    lifetime_s: float | None = 600.0
    # goAway {timeLeft} is sent this long before the cut (clamped to the lifetime).
    go_away_lead_s: float = 60.0
    # Sessions without contextWindowCompression end like the service's: audio-only after
    # ~15 min, with video after ~2 min. None: no limit.
    audio_session_limit_s: float | None = 15 * 60.0
    video_session_limit_s: float | None = 2 * 60.0
    # Spoken replies: espeak-ng when installed (False forces the synthetic tone).
    use_espeak: bool = True
    # Audio parts are paced at real time; the sender may run this far ahead of the playhead.
    audio_lead_s: float = 0.4
    # 1.0 paces audio at real time, like the service; 0.1 sends it ten times faster (tests
    # that only read the transcript of a spoken reply); 0 as fast as the socket takes it.
    audio_pacing: float = 1.0
    # TEXT replies: words per part and the pause between parts (so a reply can be barged into).
    text_words_per_part: int = 3
    text_part_interval_s: float = 0.05
    # The model's "thinking time": a reply's first part goes out no sooner than this after its
    # turn arrived (the latency tests and benches use a known delay).
    reply_delay_s: float = 0.0
    vad_threshold_dbfs: float = SPEECH_THRESHOLD_DBFS
    # How long a toolCall waits for its toolResponse, and then for the frame that follows it.
    tool_timeout_s: float = 30.0
    tool_frame_wait_s: float = 5.0
    handle_ttl_s: float = 2 * 3600.0
    # Push-to-talk audio kept for one turn (older audio is dropped past it).
    ptt_max_s: float = 120.0
    # Turns waiting behind a reply under NO_INTERRUPTION (the oldest waiting turn is dropped).
    max_waiting_turns: int = 16
    # The in-memory record (`server.received`) keeps the newest messages up to this many bytes
    # across all connections (older ones are dropped and counted): an embedded server runs for
    # hours at several frames a second. None keeps everything (tests that need it all).
    memory_record_bytes: int | None = 64 * 1024 * 1024

    def model(self, model_id: str) -> ModelInfo | None:
        """The rules this server holds `model_id` (a bare id) to, or None: not a model."""
        extra = next((m for m in self.extra_models if m.id == model_id), None)
        return extra or CATALOGUE.get(model_id)

    def go_away_at_s(self) -> float | None:
        if self.lifetime_s is None:
            return None
        return max(0.0, self.lifetime_s - min(self.go_away_lead_s, self.lifetime_s))


def embedded_settings(environ: Mapping[str, str] = os.environ) -> ServerSettings:
    """The embedded server's settings: the defaults, with `AUDIO_PACING_ENV` when set."""
    raw = environ.get(AUDIO_PACING_ENV, "")
    if not raw:
        return ServerSettings()
    try:
        pacing = float(raw)
    except ValueError:
        pacing = -1.0
    if not (math.isfinite(pacing) and pacing >= 0):
        log.warning("%s=%r is not a number >= 0; speaking at real time", AUDIO_PACING_ENV, raw)
        return ServerSettings()
    return replace(ServerSettings(), audio_pacing=pacing)
