""" "Test key": open one session against the chosen backend, report, close."""

from __future__ import annotations

import contextlib
import logging

from liveview.core.backend import resolve_endpoint
from liveview.core.settings import SessionSettings
from liveview.errors import LiveViewError
from liveview.protocol import messages as msg
from liveview.transport.client import LiveConnection

log = logging.getLogger(__name__)

KEY_TEST_TIMEOUT_S = 10.0


async def try_session(settings: SessionSettings, local_url: str | None) -> tuple[bool, str]:
    """(ok, what to tell the user). Never raises LiveViewError; never includes the key."""
    try:
        resolved = resolve_endpoint(settings, local_url)
        setup = msg.Setup(resolved.settings.setup_config())
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
