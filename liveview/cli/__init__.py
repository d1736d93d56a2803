"""Command-line entry points: the window, headless mode, the local server, benchmarks."""

from __future__ import annotations
