"""Benchmarks: `liveview bench NAME --json`. Speed and memory goals live here, not in tests."""

from __future__ import annotations
