"""Whether the service would hold a session for this setup: the model exists, is live and is
not retired, and takes every field the setup uses (protocol/setup_rules.py). The answer is the
close the service sends when it would not, as (code, reason)."""

from __future__ import annotations

from typing import Any

from liveview.protocol.catalogue import Status, bare_id
from liveview.protocol.setup_rules import refusals
from liveview.server import texts
from liveview.server.settings import ServerSettings


def refusal_for(
    setup: dict[str, Any], settings: ServerSettings, api_version: str
) -> tuple[int, str] | None:
    """None to hold the session, else the close to send."""
    model = str(setup.get("model") or "")
    bare = bare_id(model)
    name = model if model.startswith("models/") else f"models/{bare}"
    not_found = (texts.CLOSE_POLICY, texts.model_not_found(name, api_version))
    info = settings.model(bare)
    retired = info is not None and info.status is Status.RETIRED
    if retired or model in settings.retired_models or bare in settings.retired_models:
        return not_found
    if not settings.strict:
        return None  # the relaxed mode: any other model name, any field
    if info is None or not info.live:
        return not_found
    refused = refusals(setup, info)
    if refused:
        return refused[0].code, refused[0].reason
    return None
