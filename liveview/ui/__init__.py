"""The window: PySide6 widgets on a qasync loop. The only package that imports QtWidgets."""

from __future__ import annotations
