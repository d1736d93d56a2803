"""The History pane on a real display, reading a real SQLite file under a temporary
XDG_DATA_HOME; Continue talks to the real local server over loopback."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QMessageBox

from liveview.core.history import HistoryStore, SessionMeta
from liveview.core.prefs import Prefs
from liveview.core.transcript import Role
from liveview.encode.small_jpeg import make_thumbnail
from liveview.protocol.catalogue import STABLE_MODEL
from liveview.server import LocalLiveServer
from liveview.ui.history_pane import QtHistoryPane
from liveview.ui.history_rows import QtHistoryRow
from liveview.ui.main_window import QtMainWindow
from tests.support.history import (
    T0,
    digest,
    frame_jpeg,
    held_exclusively,
    model,
    point_xdg_at,
    user,
    write_session,
)
from tests.support.waiting import eventually
from tests.support.window import open_window

pytestmark = pytest.mark.x11
DAY_S = 86_400.0


def fill(path: Path) -> dict[str, int]:
    """Three kept sessions, a day apart; the giraffe one has a picture at its user turn."""
    with HistoryStore.open(path) as store:
        ids = {
            "weather": write_session(store, ["what is the weather", "sunny"], started_at=T0),
            "code": write_session(
                store,
                ["read this stack trace", "a KeyError in parse, line 12 of a giraffe module"],
                started_at=T0 + DAY_S,
            ),
        }
        sid = store.insert_session(SessionMeta(T0 + 2 * DAY_S, "local", "liveview-local", "test"))
        store.put_turn(
            sid, user(0, "where is the giraffe giraffe", at=T0 + 2 * DAY_S),
            make_thumbnail(frame_jpeg(3)),
        )  # fmt: skip
        store.put_turn(sid, model(1, "the giraffe is top left", at=T0 + 2 * DAY_S))
        store.finish_session(sid, T0 + 2 * DAY_S + 5)
        ids["giraffe"] = sid
    return ids


async def shown(window: QtMainWindow, rows: int) -> None:
    await eventually(lambda: len(window.history.rows) == rows and window.history.list.count())


@contextlib.asynccontextmanager
async def filled_pane(qtbot: Any, store: QSettings, path: Path) -> AsyncIterator[QtHistoryPane]:
    """The window's History pane, open, listing the three sessions `fill` kept."""
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        window.toggle_history()
        await shown(window, 3)
        yield window.history


async def test_the_pane_lists_searches_and_opens_with_thumbnails(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    ids = fill(path)
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        assert window.history.isHidden()
        action = window.actions_by_name["History…"]
        assert action.shortcut().toString() == "Ctrl+H"
        action.trigger()
        await shown(window, 3)
        assert [r.id for r in window.history.rows] == [ids["giraffe"], ids["code"], ids["weather"]]
        texts = window.history.row_texts()
        assert texts[0].startswith("where is the giraffe giraffe")
        assert "2 turns" in texts[0]
        first = window.history.list.itemWidget(window.history.list.item(0))
        assert isinstance(first, QtHistoryRow) and not first.thumb.pixmap().isNull()
        assert window.history.count.text() == "3 conversations"

        qtbot.keyClicks(window.history.search, "giraffe")
        await eventually(lambda: window.history.count.text().startswith("2 found"))
        # Ranked: three giraffes in two short turns beat one in a longer turn.
        assert [r.id for r in window.history.rows] == [ids["giraffe"], ids["code"]]
        assert (
            "<b>giraffe</b>"
            in window.history.list.itemWidget(window.history.list.item(1)).label.text()
        )  # type: ignore[attr-defined]
        assert "KeyError in parse" in window.history.row_texts()[1]

        window.history.search.clear()
        qtbot.keyClicks(window.history.search, "zebra")
        await eventually(lambda: window.history.count.text() == "Nothing found for “zebra”.")
        assert window.history.list.count() == 0

        window.history.search.clear()
        await shown(window, 3)
        window.history.list.setCurrentRow(0)
        await eventually(lambda: window.history.current is not None)
        text = window.history.view.toPlainText()
        assert "where is the giraffe giraffe" in text and "the giraffe is top left" in text
        assert window.history.view.isReadOnly()
        (turn_id,) = window.history.current.thumbnails  # type: ignore[union-attr]
        image = window.history.view.document().resource(
            QTextDocument.ResourceType.ImageResource, QUrl(f"thumb:{turn_id}")
        )
        assert image is not None and not image.isNull()
        assert window.history.continue_button.isEnabled()


async def test_continue_seeds_the_earlier_turns_with_their_roles(
    qtbot: Any,
    store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    live_server: LocalLiveServer,
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    with HistoryStore.open(path) as db:
        write_session(db, ["my cat is called Tom", "Tom is a fine name for a cat"])
    prefs = Prefs(
        backend="custom", url=live_server.url, model=STABLE_MODEL, audio_replies=False,
        mic_enabled=False, source="none",
    )  # fmt: skip
    before = len(live_server.connections)
    async with open_window(qtbot, store, prefs) as window:
        window.toggle_history()
        await shown(window, 1)
        window.history.list.setCurrentRow(0)
        await eventually(lambda: window.history.current is not None)
        qtbot.mouseClick(window.history.continue_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
        window.model.send_text("what is my cat called?")
        await eventually(
            lambda: any(
                e.role is Role.MODEL and "what is my cat called" in e.text and not e.open
                for e in window.model.transcript.entries
            )
        )
        panel = window.conversation.plain_text()
        assert "my cat is called Tom" in panel and "Tom is a fine name" in panel
    assert len(live_server.connections) == before + 1
    received = live_server.received[-1]
    assert received[0]["setup"]["historyConfig"] == {"initialHistoryInClientContent": True}
    contents = [m["clientContent"] for m in received if "clientContent" in m]
    seed, question = contents[:2]
    assert seed["turnComplete"] is False
    assert [(t["role"], t["parts"][0]["text"]) for t in seed["turns"]] == [
        ("user", "my cat is called Tom"),
        ("model", "Tom is a fine name for a cat"),
    ]
    assert question["turns"][0]["parts"][0]["text"] == "what is my cat called?"


async def test_export_writes_markdown_and_json_and_says_why_when_it_cannot(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    ids = fill(path)
    async with filled_pane(qtbot, store, path) as pane:
        assert not pane.export_button.isEnabled()  # nothing opened yet
        await pane.open_session(ids["code"])
        md = await pane.export_to(tmp_path / "out.md", "md")
        as_json = await pane.export_to(tmp_path / "out.json", "json")
        assert md is not None and as_json is not None
        assert "read this stack trace" in md.read_text(encoding="utf-8")
        data = json.loads(as_json.read_text(encoding="utf-8"))
        assert data["session"]["id"] == ids["code"]
        assert pane.problem.isHidden()

        missing = tmp_path / "no-such-folder" / "out.md"
        assert await pane.export_to(missing, "md") is None
        assert pane.problem.isVisible() and "does not exist" in pane.problem.text()
        assert not missing.parent.exists()


async def test_delete_asks_first_and_cancel_keeps_it(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    ids = fill(path)
    async with filled_pane(qtbot, store, path) as pane:
        await pane.open_session(ids["weather"])

        qtbot.mouseClick(pane.delete_button, Qt.MouseButton.LeftButton)
        box = pane.confirm
        assert box is not None and box.isVisible()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
        await eventually(lambda: pane.confirm is None)
        assert len(pane.rows) == 3

        qtbot.mouseClick(pane.delete_button, Qt.MouseButton.LeftButton)
        box = pane.confirm
        assert box is not None
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
        await eventually(lambda: len(pane.rows) == 2)
        assert ids["weather"] not in [r.id for r in pane.rows]
        assert pane.current is None and not pane.delete_button.isEnabled()
    with HistoryStore.open(path) as db:
        assert db.get_session(ids["weather"]) is None
        assert db.get_session(ids["code"]) is not None


async def test_a_corrupt_database_is_said_and_left_as_it_is(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 50)
    before = digest(path)
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        window.toggle_history()
        pane = window.history
        await eventually(lambda: pane.problem.isVisible())
        assert "is damaged" in pane.problem.text() and str(path) in pane.problem.text()
        assert "will not write to it" in pane.problem.text()
        assert pane.list.count() == 0
        qtbot.keyClicks(pane.search, "milk")
        await eventually(lambda: not pane._search_timer.isActive())
        await pane.refresh()
        assert "is damaged" in pane.problem.text()
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no -wal, no new file


async def test_a_locked_database_is_said_and_no_file_appears_without_one(
    qtbot: Any, store: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = point_xdg_at(tmp_path, monkeypatch)
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        pane = window.history
        window.toggle_history()
        await eventually(lambda: pane.count.text() == "No conversations kept yet.")
        assert not path.exists()  # reading never creates the database
        fill(path)
        with held_exclusively(path):
            await pane.refresh()
            assert pane.problem.isVisible() and "locked by another program" in pane.problem.text()
        await pane.refresh()
        assert pane.problem.isHidden() and len(pane.rows) == 3
