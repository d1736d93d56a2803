"""The window's Export: the code moved to liveview.core.export (one export for the window and
the history); these names stay importable from here."""

from __future__ import annotations

from liveview.core.export import ExportFailed, export_conversation, export_paths, snapshot

__all__ = ["ExportFailed", "export_conversation", "export_paths", "snapshot"]
