"""The session core: plain asyncio, no widgets; owns tasks, state, barge-in, reconnects."""

from __future__ import annotations
