"""Screenshots of the desktop parts for docs/screens: the overlay over another application, the
tray menu, the Window… picker and Settings › Desktop, in the light and the dark palette, at
1920x1080 (and the window at 1366x768 size). Run on the test display (scripts/test-env.sh)
with a tray host:

    python scripts/desk_screens.py docs/screens
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import qasync  # noqa: F401  (after PySide6 below)
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication

from liveview.core.app_model import AppModel
from liveview.core.prefs import Prefs
from liveview.server import LocalLiveServer
from liveview.ui.main_window import QtMainWindow
from liveview.ui.prefs_store import QtPrefsStore
from liveview.ui.theme import dark_palette
from tests.desktop.x11 import AppWindow, tray_host


def shot(path: Path) -> None:
    subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=30)
    print("wrote", path)


async def settle(seconds: float = 0.8) -> None:
    await asyncio.sleep(seconds)


async def scenes(app: QApplication, out: Path, palette: str, url: str) -> None:
    app.setPalette(dark_palette() if palette == "dark" else app.style().standardPalette())
    settings = QSettings(str(out / f".screens-{palette}.ini"), QSettings.Format.IniFormat)
    settings.clear()
    store = QtPrefsStore(settings)
    prefs = Prefs(backend="local", url=url, audio_replies=False, mic_enabled=False,
                  source="screen:1", first_launch_done=True)  # fmt: skip
    model = AppModel(prefs, store.save, keys=lambda: (None, ""))
    window = QtMainWindow(model, store)
    model.start_background()
    window.resize(1366, 768)
    window.move(0, 0)
    window.show()
    await window.start_up()
    model.start_session()
    await settle(2.0)
    await model.ask_with_snapshot("What is this window showing? Describe it briefly please.")
    await settle(3.0)
    shot(out / f"window-1366-{palette}.png")
    # The overlay over another application, the main window hidden.
    window.desktop.toggle_visible()
    overlay = window.desktop.overlay
    overlay.move(1100, 160)
    overlay.prompt.setText("and what does the chart say?")
    await settle(1.5)
    shot(out / f"overlay-{palette}.png")
    # The tray menu.
    tray = window.desktop.tray
    if tray is not None:
        geometry = tray.geometry()
        tray.menu.popup(QPoint(geometry.left() - 180, geometry.bottom() + 4))
        await settle(1.0)
        shot(out / f"tray-menu-{palette}.png")
        tray.menu.hide()
    overlay.hide()
    window.desktop.show_window()
    # The Window… picker.
    picker = window.desktop.pick_window()
    picker.move(500, 200)
    await settle(2.5)
    picker.select_title("Budget")
    await settle(0.5)
    shot(out / f"window-picker-{palette}.png")
    picker.reject()
    # Settings › Desktop: the hotkeys, hiding liveview, privacy masks, auto-pause.
    dialog = window.open_settings()
    dialog.tabs.setCurrentWidget(dialog.desktop)
    dialog.move(300, 60)
    await settle(1.0)
    shot(out / f"settings-desktop-{palette}.png")
    dialog.reject()
    window.quit()
    await model.aclose()


async def main(out: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    server = LocalLiveServer(use_espeak=False)
    server.start_in_thread()
    try:
        with tray_host(), AppWindow("Budget 2026.ods - Spreadsheet", 900, 120, 900, 700, seed=2,
                                    wm_class="spreadsheet"), AppWindow(
            "Notes - Editor", 80, 560, 640, 420, seed=6, wm_class="editor"
        ):  # fmt: skip
            await settle(1.0)
            for palette in ("light", "dark"):
                await scenes(app, out, palette, server.url)
    finally:
        server.stop_thread()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screens")
    target.mkdir(parents=True, exist_ok=True)
    application = QApplication(["liveview"])
    application.setQuitOnLastWindowClosed(False)
    application.setStyle("Fusion")
    import qasync as _qasync

    with asyncio.Runner(loop_factory=lambda: _qasync.QEventLoop(application)) as runner:
        runner.run(main(target))
