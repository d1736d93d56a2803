"""The Settings dialog follows the model catalogue: what the chosen model cannot take is greyed
out with the reason beside it, the thinking box offers the model's own levels, and the media
resolution says what a frame costs."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from liveview.core.prefs import Prefs
from liveview.core.settings import Backend, SessionSettings, choose_backend, unavailable
from liveview.errors import Setting
from liveview.protocol.catalogue import lookup

REASON_STYLE = "color:#e67e22"


def _say(label: QLabel, text: str, reason: bool) -> None:
    label.setText(text)
    label.setWordWrap(True)
    label.setStyleSheet(REASON_STYLE if reason else "")
    label.setVisible(bool(text))


def _gate(widget: QWidget, note: QLabel, reason: str | None, otherwise: str = "") -> None:
    """Grey `widget` out with `reason` beside it (and as its tooltip), or enable it."""
    widget.setEnabled(reason is None)
    widget.setToolTip(reason or "")
    _say(note, reason or otherwise, reason is not None)


class CapabilityForm(Protocol):
    """The Settings dialog's widgets that follow the catalogue (the dialog owns its
    QtCapabilities, so its class is not imported here)."""

    key_present: bool
    thinking: QComboBox
    thinking_note: QLabel
    transcription_languages: QWidget
    languages_note: QLabel
    search: QWidget
    search_note: QLabel
    code: QWidget
    code_note: QLabel
    media_resolution: QWidget
    frame_cost: QLabel


class QtCapabilities:
    def __init__(self, dialog: CapabilityForm) -> None:
        self.dialog = dialog
        self.model_id = ""

    def apply(self, prefs: Prefs) -> None:
        d = self.dialog
        self.model_id = prefs.model_for(d.key_present)
        backend = choose_backend(prefs.backend or None, prefs.url or None, d.key_present)
        settings = SessionSettings(backend=backend, model=self.model_id)
        missing = unavailable(settings)
        self._thinking(prefs, missing.get(Setting.THINKING))
        _gate(
            d.transcription_languages, d.languages_note, missing.get(Setting.TRANSCRIPTION_LANGUAGE)
        )
        _gate(d.search, d.search_note, missing.get(Setting.GOOGLE_SEARCH))
        _gate(d.code, d.code_note, missing.get(Setting.CODE_EXECUTION))
        d.media_resolution.setEnabled(Setting.MEDIA_RESOLUTION not in missing)
        self._frame_cost(prefs, missing.get(Setting.MEDIA_RESOLUTION), backend)

    def _thinking(self, prefs: Prefs, reason: str | None) -> None:
        d = self.dialog
        levels = lookup(self.model_id).thinking_levels if reason is None else ()
        wanted = ["", *levels]
        have = [d.thinking.itemData(i) for i in range(d.thinking.count())]
        if have != wanted:
            d.thinking.blockSignals(True)
            d.thinking.clear()
            d.thinking.addItem("Model's default", "")
            for level in levels:
                d.thinking.addItem(level.capitalize(), level)
            d.thinking.setCurrentIndex(max(0, d.thinking.findData(prefs.thinking)))
            d.thinking.blockSignals(False)
        offered = f"{self.model_id} thinks at: {', '.join(levels)}." if levels else ""
        _gate(d.thinking, d.thinking_note, reason, offered)

    def _frame_cost(self, prefs: Prefs, reason: str | None, backend: Backend) -> None:
        d = self.dialog
        if reason is not None:
            _say(d.frame_cost, reason, True)
            return
        tokens = lookup(self.model_id).frame_cost(prefs.media_resolution or None)
        per_minute = round(tokens * prefs.fps * 60)
        where = "the local server counts them" if backend is Backend.LOCAL else "paid for"
        _say(
            d.frame_cost,
            f"{tokens} tokens a frame on {self.model_id} ({where}): at most {per_minute:,} a "
            "minute at this frame rate; unchanged frames are not sent.",
            False,
        )
