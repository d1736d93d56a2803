"""Where the icons, style sheets and desktop files are (beside the package, in a bundle too)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
