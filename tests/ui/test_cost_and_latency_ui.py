"""What a session takes and costs, as the window shows it: the status bar's latency and token
figures, and the cost panel opened from it (a real window on Xvfb, the real local server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from liveview.core.transcript import Role
from liveview.server import LocalLiveServer
from liveview.ui.cost_panel import NO_PRICE
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

SCREENS = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LocalLiveServer]:
    server = LocalLiveServer(use_espeak=False, audio_pacing=0.2, reply_delay_s=0.25)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


async def test_the_status_bar_shows_each_reply_latency_and_the_cost_panel_the_tokens(
    qtbot: Any, store: QSettings, slow_server: LocalLiveServer
) -> None:
    async with open_window(qtbot, store, local_prefs(slow_server.url)) as window:
        for n in range(2):
            window.model.send_text(f"question {n}")
            await eventually(
                lambda n=n: (
                    sum(
                        e.role is Role.MODEL and not e.open for e in window.model.transcript.entries
                    )
                    == n + 1
                )
            )
        window._on_figures_due()
        latency = re.fullmatch(r"reply (\d+) ms · median (\d+) ms", window.status.latency.text())
        assert latency is not None, window.status.latency.text()
        assert 250 <= int(latency.group(1)) < 1000 and 250 <= int(latency.group(2)) < 1000
        assert re.fullmatch(r"[\d,]+ tokens", window.status.tokens.text())

        qtbot.mouseClick(window.status.tokens, Qt.MouseButton.LeftButton)
        panel = window.cost_panel
        await eventually(panel.isVisible)
        snapshot = panel.snapshot
        assert snapshot is not None and snapshot.reports == 2
        assert panel.total.text() == f"{snapshot.total_tokens:,} tokens in 2 reports"
        assert panel.note.text() == NO_PRICE  # the local server is free: no estimate invented
        SCREENS.mkdir(exist_ok=True)
        panel.grab().save(str(SCREENS / "cost-panel.png"))
        window.status.grab().save(str(SCREENS / "status-bar.png"))


async def test_a_budget_is_checked_as_typed_and_kept(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer
) -> None:
    async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
        window.show_cost()
        panel = window.cost_panel
        panel.budget.setText("lots")
        panel.budget.editingFinished.emit()
        assert "tokens" in panel.budget_problem.text()
        assert window.model.prefs.budget == ""  # nothing saved from a bad value
        panel.budget.setText("$0.50")
        panel.budget.editingFinished.emit()
        assert panel.budget_problem.text() == ""
        assert window.model.prefs.budget == "$0.50"
        assert window.model.prefs.budget_limit().usd == 0.5
