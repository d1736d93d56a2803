"""The Settings dialog follows the catalogue (issue 12): the model box is filled from the local
server's models endpoint, a tool the model cannot use is greyed out with its reason, the
thinking box offers the model's levels and the media resolution says what a frame costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from liveview.core.model_list import ModelListCache
from liveview.errors import Setting
from liveview.server import LocalLiveServer
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11
SHOTS = Path("test-output")


def _items(box: Any) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


async def test_the_dialog_follows_the_chosen_model(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, tmp_path: Path
) -> None:
    async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
        window.model.model_cache = ModelListCache(tmp_path / "models.json")
        dialog = window.open_settings(Setting.CODE_EXECUTION)
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Tools"
        await eventually(lambda: "local server" in dialog.models_note.text())
        models = _items(dialog.model)
        assert "gemini-3.8-live" in models and "liveview-local" in models
        assert "gemini-3.8-flash" not in models, "only models with bidiGenerateContent"
        # The local server's own model: no code execution (no Live model has it), no search.
        assert not dialog.code.isEnabled() and "cannot run code" in dialog.code_note.text()
        assert not dialog.search.isEnabled() and "no network" in dialog.search_note.text()
        assert not dialog.thinking.isEnabled()
        SHOTS.mkdir(exist_ok=True)
        dialog.grab().save(str(SHOTS / "settings-tools-local.png"))
        # A model that thinks: its levels, and the tools follow it.
        dialog.model.setEditText("gemini-3.8-live-extended-thinking")
        assert dialog.thinking.isEnabled()
        assert _items(dialog.thinking) == ["Model's default", "Low", "Medium", "High"]
        assert dialog.search.isEnabled() and not dialog.code.isEnabled()
        dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.media_resolution.parentWidget()))
        dialog.media_resolution.setCurrentIndex(dialog.media_resolution.findData("low"))
        assert dialog.frame_cost.text().startswith("64 tokens a frame")
        dialog.grab().save(str(SHOTS / "settings-video-cost.png"))
        dialog.thinking.setCurrentIndex(dialog.thinking.findData("high"))
        dialog.accept()
        assert window.model.prefs.thinking == "high"
        assert window.model.prefs.media_resolution == "low"


async def test_an_offline_backend_offers_the_list_it_gave_last_time(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, tmp_path: Path
) -> None:
    cache = ModelListCache(tmp_path / "models.json")
    async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
        window.model.model_cache = cache
        dialog = window.open_settings()
        await eventually(lambda: "live models from" in dialog.models_note.text())
        dialog.reject()
    # The same backend, now unreachable: the cached list, said to be old.
    offline = local_prefs("ws://127.0.0.1:9")
    async with open_window(qtbot, store, offline) as window:
        window.model.model_cache = cache
        dialog = window.open_settings()
        await eventually(lambda: "Offline" in dialog.models_note.text())
        assert "gemini-3.8-live" in _items(dialog.model)
        dialog.reject()
