""" "Test key": open one session against the chosen backend, report, close. And the list of
live-capable models from the service's models.list, when the key works."""

from __future__ import annotations

import contextlib
import json
import logging
import urllib.error
import urllib.request

from liveview.core.backend import resolve_endpoint
from liveview.core.settings import Backend, SessionSettings
from liveview.errors import LiveViewError
from liveview.protocol import messages as msg
from liveview.transport.client import LiveConnection

log = logging.getLogger(__name__)

KEY_TEST_TIMEOUT_S = 10.0
MODELS_URL = "https://generativelanguage.googleapis.com/v1beta/models?pageSize=200"
MODELS_TIMEOUT_S = 8.0


async def try_session(settings: SessionSettings, local_url: str | None) -> tuple[bool, str]:
    """(ok, what to tell the user). Never raises LiveViewError; never includes the key."""
    try:
        resolved = resolve_endpoint(settings, local_url)
        setup = msg.build_setup(resolved.settings.setup_config())
        conn = await LiveConnection.open(
            resolved.endpoint,
            setup,
            open_timeout_s=KEY_TEST_TIMEOUT_S,
            setup_timeout_s=KEY_TEST_TIMEOUT_S,
        )
    except LiveViewError as exc:
        return False, exc.user_message
    with contextlib.suppress(LiveViewError):
        await conn.close()
    return True, f"It works: a session opened on {resolved.description}."


def fetch_live_models(settings: SessionSettings) -> list[str]:
    """Blocking (call in a thread): models that support bidiGenerateContent; [] when unknown."""
    if settings.backend is not Backend.GEMINI or not settings.api_key:
        return []
    request = urllib.request.Request(MODELS_URL, headers={"x-goog-api-key": settings.api_key})
    try:
        with urllib.request.urlopen(request, timeout=MODELS_TIMEOUT_S) as response:
            body = json.load(response)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        log.info("models.list failed: %s", type(exc).__name__)
        return []
    models = []
    for model in body.get("models", []):
        if "bidiGenerateContent" in model.get("supportedGenerationMethods", []):
            models.append(str(model.get("name", "")).removeprefix("models/"))
    return sorted(m for m in models if m)
