"""liveview: live screen and camera analysis over the Gemini Live API."""

from __future__ import annotations

__version__ = "0.1.0"
