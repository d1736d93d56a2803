"""Profiles in the window: the toolbar box switches what the next session is made with, as the
real local server receives it; Settings › Profiles edits, deletes, imports and exports the
files under a temporary XDG_CONFIG_HOME; a broken file is named with its line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from liveview.core.prefs import Prefs
from liveview.core.profiles import EXPORT_KEY, file_name, profiles_folder
from liveview.protocol.catalogue import STABLE_MODEL
from liveview.server import LocalLiveServer
from liveview.ui.main_window import QtMainWindow
from liveview.ui.prefs_store import load_prefs
from tests.support.history import point_xdg_at
from tests.support.waiting import eventually
from tests.support.window import open_window

pytestmark = pytest.mark.x11
COOK = "You are a ship's cook. Answer only about galley food."
BROKEN = '{\n  "name": "Half done",\n  "voice": "Nobody",\n  "fps": 1\n}\n'


def write_profiles() -> Path:
    folder = profiles_folder()
    folder.mkdir(parents=True)
    cook = {"name": "Ship's cook", "system_instruction": COOK, "voice": "Puck", "source": "none"}
    (folder / file_name("Ship's cook")).write_text(json.dumps(cook, indent=2), encoding="utf-8")
    (folder / "half-done.json").write_text(BROKEN, encoding="utf-8")
    return folder


def prefs_for(server: LocalLiveServer) -> Prefs:
    return Prefs(
        backend="custom", url=server.url, model=STABLE_MODEL, audio_replies=False,
        mic_enabled=False, source="none", voice="Kore",
    )  # fmt: skip


async def one_session(
    window: QtMainWindow, server: LocalLiveServer, profile: str = ""
) -> dict[str, Any]:
    """Start and stop a session; the setup the server received."""
    before = len(server.connections)
    window.toggle_session()
    await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
    runtime = window.model.runtime
    assert runtime is not None and runtime.plan.profile == profile  # kept with the session
    window.toggle_session()
    await eventually(lambda: not window.model.running)
    assert len(server.connections) == before + 1
    setup: dict[str, Any] = server.received[-1][0]["setup"]
    return setup


def voice_of(setup: dict[str, Any]) -> str:
    speech = setup["generationConfig"].get("speechConfig", {})
    return str(speech.get("voiceConfig", {}).get("prebuiltVoiceConfig", {}).get("voiceName", ""))


async def test_switching_profiles_changes_the_next_sessions_setup(
    qtbot: Any,
    store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    live_server: LocalLiveServer,
) -> None:
    point_xdg_at(tmp_path, monkeypatch)
    write_profiles()
    async with open_window(qtbot, store, prefs_for(live_server)) as window:
        await window.model.reload_profiles()
        box = window.profile_box
        names = box.names()
        assert names[:5] == [
            "No profile", "Explain my screen", "Pair programmer", "Describe for me",
            "Live translator",
        ]  # fmt: skip
        assert "Ship's cook" in names and "Half done" not in names
        assert box.problems.isVisible() and "1 broken profile file" in box.problems.text()
        assert "half-done.json:3" in box.problems.toolTip()  # the line of the unknown voice

        plain = await one_session(window, live_server)
        assert "systemInstruction" not in plain and voice_of(plain) == "Kore"

        box.choose("Ship's cook")
        assert window.model.prefs.profile == "Ship's cook"
        cook = await one_session(window, live_server, "Ship's cook")
        assert cook["systemInstruction"]["parts"][0]["text"] == COOK
        assert voice_of(cook) == "Puck"

        box.combo.setCurrentIndex(box.combo.findText("Pair programmer"))  # as a click would
        programmer = await one_session(window, live_server, "Pair programmer")
        assert "pair programmer" in programmer["systemInstruction"]["parts"][0]["text"]
        assert voice_of(programmer) == "Kore"  # the profile sets no voice: the user's stays
        await eventually(lambda: window.model.video.kind == "screen")  # its own source


async def test_the_profile_is_remembered_for_the_next_launch(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_xdg_at(tmp_path, monkeypatch)
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        await window.model.reload_profiles()
        window.profile_box.choose("Describe for me")
    async with open_window(qtbot, store, load_prefs(store)) as again:
        await again.model.reload_profiles()
        assert again.profile_box.combo.currentText() == "Describe for me"


async def test_settings_profiles_tab_edits_deletes_imports_and_exports(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_xdg_at(tmp_path, monkeypatch)
    folder = write_profiles()
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        await window.model.reload_profiles()
        dialog = window.open_settings()
        tab = dialog.profiles_tab
        assert tab is not None
        assert not tab.problems.isHidden() and tab.problems.text().startswith("Not loaded:")
        full = tab.problems.toolTip()  # the shown line may be cut; the tooltip has it whole
        assert "half-done.json:3" in full and "unknown voice 'Nobody'" in full

        assert tab.name.text() == "Explain my screen"
        assert not tab.delete_button.isEnabled()  # shipped, not overridden: nothing to delete
        tab.list.setCurrentRow(tab.list.count() - 1)
        assert tab.name.text() == "Ship's cook" and tab.voice.currentData() == "Puck"
        assert tab.delete_button.isEnabled()
        tab.instruction.setPlainText("Talk like a pirate cook.")
        tab.voice.setCurrentIndex(tab.voice.findData("Charon"))
        assert await tab.save_current() is not None
        saved = json.loads((folder / file_name("Ship's cook")).read_text(encoding="utf-8"))
        assert (
            saved["system_instruction"] == "Talk like a pirate cook." and saved["voice"] == "Charon"
        )
        await eventually(lambda: window.model.profiles.require("Ship's cook").voice == "Charon")

        qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
        tab.name.setText("Night owl")
        tab.fps.setValue(0.4)
        assert await tab.save_current() is not None
        assert json.loads((folder / "night-owl.json").read_text(encoding="utf-8")) == {
            "name": "Night owl", "fps": 0.4,
        }  # fmt: skip
        await eventually(lambda: "Night owl" in window.profile_box.names())

        tab.name.setText("")
        assert await tab.save_current() is None
        assert "no name" in tab.status.text()

        exported = tmp_path / "mine.json"
        assert await tab.export_to(exported)
        data = json.loads(exported.read_text(encoding="utf-8"))
        assert data[EXPORT_KEY] == 1 and "Night owl" in [p["name"] for p in data["profiles"]]

        tab.list.setCurrentRow([p.name for p in tab.profiles.profiles].index("Night owl"))
        assert await tab.delete_current()
        assert not (folder / "night-owl.json").exists()
        await eventually(lambda: "Night owl" not in window.profile_box.names())

        imported = await tab.import_from(exported)
        assert "Night owl" in [p.name for p in imported]
        assert (folder / "night-owl.json").exists()

        assert await tab.import_from(folder / "half-done.json") == []
        assert "half-done.json:3" in tab.status.text()
        dialog.reject()
