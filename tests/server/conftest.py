from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview.server import LocalLiveServer


@pytest.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    """Today's rules; spoken replies (read through their transcript) at 4x real time."""
    async with LocalLiveServer(use_espeak=False, audio_pacing=0.25) as running:
        yield running


@pytest.fixture
async def relaxed_server() -> AsyncIterator[LocalLiveServer]:
    """The relaxed mode (any model, TEXT replies), for tests of the text path itself."""
    async with LocalLiveServer(strict=False) as running:
        yield running
