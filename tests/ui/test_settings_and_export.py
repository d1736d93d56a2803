"""Settings that survive a restart, the new-session note, and the conversation export."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from liveview.audio.listen import Listen
from liveview.core import events as core
from liveview.core.prefs import Prefs
from liveview.protocol import events as ev
from liveview.ui.prefs_store import load_prefs
from tests.support.window import open_window

pytestmark = pytest.mark.x11


async def test_settings_survive_a_restart(qtbot: Any, store: QSettings) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        window.resize(1000, 700)
        dialog = window.open_settings()
        dialog.model.setEditText("gemini-3.8-live")
        dialog.voice.setCurrentIndex(dialog.voice.findData("Kore"))
        dialog.language.setText("de-DE")
        dialog.system.setPlainText("Answer briefly.")
        dialog.audio_replies.setChecked(False)
        dialog.fps.setValue(2.0)
        dialog.quality.setValue(70)
        dialog.echo.setCurrentIndex(dialog.echo.findData("half-duplex"))
        dialog.listen.setCurrentIndex(dialog.listen.findData("system"))
        dialog.ptt.setChecked(True)
        dialog.ptt_key.setKeySequence(QKeySequence("F9"))
        dialog.backend.setCurrentIndex(dialog.backend.findData("custom"))
        dialog.url.setText("ws://127.0.0.1:9/custom")
        dialog.accept()
        assert window.controls.ptt_button.isVisibleTo(window)  # push-to-talk shown at once
    # A new window on the same store: a restart.
    restored = load_prefs(QSettings(store.fileName(), QSettings.Format.IniFormat))
    assert restored.model == "gemini-3.8-live"
    assert restored.voice == "Kore"
    assert restored.language == "de-DE"
    assert restored.system_instruction == "Answer briefly."
    assert restored.audio_replies is False
    assert restored.fps == 2.0
    assert restored.jpeg_quality == 70
    assert restored.echo == "half-duplex"
    assert restored.listen == "system"
    assert restored.push_to_talk is True and restored.ptt_key == "F9"
    assert restored.backend == "custom" and restored.url == "ws://127.0.0.1:9/custom"
    async with open_window(qtbot, store, restored) as again:
        assert (again.width(), again.height()) == (1000, 700)  # geometry remembered
        audio = again.model.session_plan().audio
        assert audio.listen_mode is Listen.SYSTEM and audio.mic is False  # the computer only
    assert "api_key" not in Path(store.fileName()).read_text().lower()


async def test_changes_that_need_a_new_session_say_so(qtbot: Any, store: QSettings) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        dialog = window.open_settings()
        dialog.session_running = True
        dialog.language.setText("fr-FR")
        assert "next session" in dialog.restart_note.text()
        assert "language" in dialog.restart_note.text()
        dialog.language.setText("")
        assert dialog.restart_note.text() == ""
        dialog.reject()


def _fill(window: Any) -> None:
    now = time.time()
    t = window.model.transcript
    t.apply(core.UserText("What is on screen?"), now)
    t.apply(ev.ModelText("A test pattern with seven bars."), now + 1)
    t.apply(ev.TurnComplete(), now + 2)


async def test_export_writes_both_files(qtbot: Any, store: QSettings, tmp_path: Path) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        _fill(window)
        written = await window.conversation.export(tmp_path / "chat.md")
        assert written == (tmp_path / "chat.md", tmp_path / "chat.json")
        markdown = (tmp_path / "chat.md").read_text(encoding="utf-8")
        assert "What is on screen?" in markdown and "seven bars" in markdown
        rows = json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))["conversation"]
        assert [r["role"] for r in rows] == ["user_text", "model"]
        assert all(r["time"] for r in rows)  # timestamps
        assert not window.conversation.error_label.isVisibleTo(window)
        assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("where", ["missing-folder", "under-a-file"])
async def test_a_failing_export_says_why_and_loses_nothing(
    qtbot: Any, store: QSettings, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = tmp_path / "nope" / "chat" if where == "missing-folder" else blocker / "chat"
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        _fill(window)
        assert await window.conversation.export(target) is None
        error = window.conversation.error_label
        assert error.isVisibleTo(window)
        assert "Export failed" in error.text() and "Nothing was lost" in error.text()
        assert "does not exist" in error.text()
        assert len(window.model.transcript.entries) == 2
        assert "seven bars" in window.conversation.plain_text()
