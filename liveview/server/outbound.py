"""Server messages, in the camelCase JSON the service sends (always as binary frames)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
REPLY_SAMPLE_RATE_HZ = 24_000
REPLY_AUDIO_MIME = f"audio/pcm;rate={REPLY_SAMPLE_RATE_HZ}"


def encode(message: Obj) -> bytes:
    """The service's JSON arrives in binary frames (PROTOCOL.md, observed)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def setup_complete(session_id: str | None = None) -> Obj:
    return {"setupComplete": {"sessionId": session_id} if session_id else {}}


def model_text(text: str) -> Obj:
    return {"serverContent": {"modelTurn": {"role": "model", "parts": [{"text": text}]}}}


def model_audio(pcm: bytes, transcript: str = "") -> Obj:
    """One audio part; the service sends the transcription of that audio in the same
    serverContent (outputTranscription beside modelTurn)."""
    blob = {"mimeType": REPLY_AUDIO_MIME, "data": base64.b64encode(pcm).decode("ascii")}
    body: Obj = {"modelTurn": {"role": "model", "parts": [{"inlineData": blob}]}}
    if transcript:
        body["outputTranscription"] = {"text": transcript}
    return {"serverContent": body}


def output_transcription(text: str) -> Obj:
    return {"serverContent": {"outputTranscription": {"text": text}}}


def input_transcription(text: str, *, finished: bool = True) -> Obj:
    return {"serverContent": {"inputTranscription": {"text": text, "finished": finished}}}


def generation_complete() -> Obj:
    return {"serverContent": {"generationComplete": True}}


def turn_complete(usage: Obj | None = None, *, idle: bool = False) -> Obj:
    # The service lets usageMetadata ride with turnComplete: several fields, one message.
    body: Obj = {"turnComplete": True}
    if idle:  # extended thinking: the whole request is done
        body["interactionStatus"] = "IDLE"
    message: Obj = {"serverContent": body}
    if usage is not None:
        message["usageMetadata"] = usage
    return message


def interaction_status(status: str) -> Obj:
    """serverContent.interactionStatus: IN_PROGRESS while the model works in the background."""
    return {"serverContent": {"interactionStatus": status}}


def interrupted() -> Obj:
    return {"serverContent": {"interrupted": True}}


def tool_call(call_id: str, name: str, args: Obj) -> Obj:
    return {"toolCall": {"functionCalls": [{"id": call_id, "name": name, "args": args}]}}


def tool_call_cancellation(ids: list[str]) -> Obj:
    return {"toolCallCancellation": {"ids": ids}}


def go_away(time_left_s: float) -> Obj:
    # Protobuf Duration JSON: seconds with an "s" suffix.
    return {"goAway": {"timeLeft": f"{max(0.0, time_left_s):.3f}".rstrip("0").rstrip(".") + "s"}}


def resumption_update(handle: str, resumable: bool, last_index: int | None) -> Obj:
    update: Obj = {"newHandle": handle, "resumable": resumable}
    if last_index is not None:
        update["lastConsumedClientMessageIndex"] = str(last_index)  # int64 -> JSON string
    return {"sessionResumptionUpdate": update}


@dataclass
class TokenLedger:
    """Honest approximate token counts (PROTOCOL.md: ~25 tokens/s of audio, per-image cost)."""

    text: int = 0
    audio: int = 0
    image: int = 0
    response_text: int = 0
    response_audio: int = 0

    @property
    def prompt(self) -> int:
        return self.text + self.audio + self.image

    def add_text(self, text: str) -> None:
        self.text += text_tokens(text)

    def shrink_to(self, target: int) -> None:
        """contextWindowCompression.slidingWindow: drop the oldest context, keep proportions."""
        total = self.prompt
        if total <= target or total == 0:
            return
        scale = target / total
        self.text = int(self.text * scale)
        self.audio = int(self.audio * scale)
        self.image = int(self.image * scale)


AUDIO_TOKENS_PER_S = 25
IMAGE_TOKENS = {
    None: 258,
    "MEDIA_RESOLUTION_UNSPECIFIED": 258,
    "MEDIA_RESOLUTION_LOW": 64,
    "MEDIA_RESOLUTION_MEDIUM": 256,
    "MEDIA_RESOLUTION_HIGH": 258,
}


def text_tokens(text: str) -> int:
    return max(1, round(len(text) / 4)) if text else 0


def usage_metadata(ledger: TokenLedger, response_text: int, response_audio: int) -> Obj:
    """usageMetadata for one turn: the context so far as prompt, this reply as response."""
    prompt_details = [
        {"modality": modality, "tokenCount": count}
        for modality, count in (
            ("TEXT", ledger.text),
            ("AUDIO", ledger.audio),
            ("IMAGE", ledger.image),
        )
        if count
    ]
    response_details = [
        {"modality": modality, "tokenCount": count}
        for modality, count in (("TEXT", response_text), ("AUDIO", response_audio))
        if count
    ]
    response = response_text + response_audio
    usage: Obj = {
        "promptTokenCount": ledger.prompt,
        "responseTokenCount": response,
        "totalTokenCount": ledger.prompt + response,
    }
    if prompt_details:
        usage["promptTokensDetails"] = prompt_details
    if response_details:
        usage["responseTokensDetails"] = response_details
    return usage
