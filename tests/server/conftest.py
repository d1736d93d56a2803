from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview.server import LocalLiveServer


@pytest.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    async with LocalLiveServer() as running:
        yield running
