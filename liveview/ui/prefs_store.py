"""The window's prefs in Qt's settings store (an INI file on Linux, the registry on Windows)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from PySide6.QtCore import QSettings

from liveview.core.prefs import Prefs

PREFS_GROUP = "session"


def _coerce(value: Any, default: Any) -> Any:
    """QSettings on Linux hands back strings for everything stored in an INI file."""
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        return default


def load_prefs(store: QSettings) -> Prefs:
    store.beginGroup(PREFS_GROUP)
    try:
        values = {}
        for f in fields(Prefs):
            default = f.default
            if store.contains(f.name):
                values[f.name] = _coerce(store.value(f.name), default)
        return Prefs(**values)
    finally:
        store.endGroup()


def save_prefs(store: QSettings, prefs: Prefs) -> None:
    store.beginGroup(PREFS_GROUP)
    try:
        for f in fields(Prefs):
            store.setValue(f.name, getattr(prefs, f.name))
    finally:
        store.endGroup()
    store.sync()


class QtPrefsStore:
    """The prefs and the main window's geometry in one Qt settings store."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def load(self) -> Prefs:
        return load_prefs(self.settings)

    def save(self, prefs: Prefs) -> None:
        save_prefs(self.settings, prefs)

    def save_geometry(self, geometry: object, state: object) -> None:
        self.settings.setValue("window/geometry", geometry)
        self.settings.setValue("window/state", state)
        self.settings.sync()

    def load_geometry(self) -> tuple[object, object]:
        return self.settings.value("window/geometry"), self.settings.value("window/state")

    def save_overlay_position(self, screen: str, x: int, y: int) -> None:
        """Where the overlay was left on `screen` (a screen's name: kept per screen)."""
        self.settings.setValue(f"overlay/{_key(screen)}", f"{x},{y}")
        self.settings.sync()

    def load_overlay_position(self, screen: str) -> tuple[int, int] | None:
        value = self.settings.value(f"overlay/{_key(screen)}")
        try:
            x, y = (int(v) for v in str(value).split(","))
        except ValueError:
            return None
        return x, y


def _key(screen: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in screen) or "screen"
