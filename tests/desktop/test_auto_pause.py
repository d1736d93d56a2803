"""Auto-pause: the pure decision, and a password manager's window appearing on a shared screen
under openbox while a real VideoPipeline sends frames."""

from __future__ import annotations

import asyncio
import time

import pytest

from liveview.capture import FrameProducer, NoFrameNow, ScreenSource
from liveview.capture.gate import AutoPauseGate
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.desktop.auto_pause import (
    DEFAULT_RULES,
    AutoPauseWatcher,
    PauseRule,
    blocking_window,
    pause_reason,
    rule_from_text,
)
from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowKind, WindowLister, WindowListError
from tests.desktop.x11 import AppWindow, private_display

SCREEN = Region(0, 0, 1920, 1080)
SOMEWHERE = Region(100, 100, 400, 300)


def window(
    title: str,
    app: str = "someapp",
    *,
    at: Region = SOMEWHERE,
    minimised: bool = False,
    stacking: int = 0,
) -> WindowInfo:
    return WindowInfo(
        handle=stacking + 1,
        title=title,
        app=app,
        pid=None,
        process=None,
        geometry=at,
        frame=at,
        minimised=minimised,
        visible=not minimised,
        stacking=stacking,
        kind=WindowKind.NORMAL,
    )


def test_password_managers_match_by_title_or_application() -> None:
    assert pause_reason([window("Passwords.kdbx - KeePassXC")], SCREEN, DEFAULT_RULES) is not None
    by_class = pause_reason([window("Vault", app="Bitwarden")], SCREEN, DEFAULT_RULES)
    assert by_class is not None and by_class.badge == "paused: Bitwarden"
    seahorse = pause_reason([window("Passwords and Keys")], SCREEN, DEFAULT_RULES)
    assert seahorse is not None and seahorse.badge == "paused: Passwords and Keys"
    assert pause_reason([window("Text editor")], SCREEN, DEFAULT_RULES) is None
    labels = {r.label for r in DEFAULT_RULES}
    assert {"KeePassXC", "KeePass", "1Password", "Bitwarden", "LastPass", "Enpass"} <= labels
    assert {"Dashlane", "Proton Pass", "Passwords and Keys"} <= labels


def test_only_a_visible_window_on_the_shared_part_pauses() -> None:
    keepass = window("db - KeePassXC", at=Region(100, 100, 400, 300))
    hidden = window("db - KeePassXC", minimised=True)
    assert pause_reason([hidden], SCREEN, DEFAULT_RULES) is None
    assert pause_reason([keepass], Region(1000, 0, 920, 1080), DEFAULT_RULES) is None
    assert pause_reason([keepass], Region(450, 350, 100, 100), DEFAULT_RULES) is not None
    assert pause_reason([keepass], None, DEFAULT_RULES) is None  # a camera shows no windows


def test_the_topmost_match_is_named_and_user_entries_work() -> None:
    lower = window("x - 1Password", stacking=1)
    upper = window("y - Enpass", stacking=5)
    found = blocking_window([lower, upper], SCREEN, DEFAULT_RULES)
    assert found is not None and found[0].label == "Enpass"
    mine = rule_from_text("Banking")
    assert mine == PauseRule("Banking", titles=("Banking",), apps=("Banking",))
    reason = pause_reason([window("My banking - Firefox")], SCREEN, [mine])
    assert reason is not None and reason.badge == "paused: Banking"
    assert "Banking is on the shared screen ('My banking - Firefox')" in reason.notice


class FailingLister(WindowLister):
    def snapshot(self) -> list[WindowInfo]:
        raise WindowListError("No window manager is running on display :5")

    def window(self, handle: int) -> WindowInfo | None:
        return None

    def close(self) -> None:
        return None


def test_without_a_window_list_frames_pass_and_the_problem_is_said() -> None:
    watcher = AutoPauseWatcher(lister_factory=FailingLister)
    watcher.start()
    try:
        assert watcher.problem == "Auto-pause is off: No window manager is running on display :5"
        assert watcher.reason_for(SCREEN) is None
    finally:
        watcher.stop()


@pytest.mark.x11
def test_without_a_window_manager_auto_pause_says_it_is_off() -> None:
    from liveview.desktop.windows_x11 import X11WindowLister

    with private_display(with_wm=False) as env:
        watcher = AutoPauseWatcher(lister_factory=lambda: X11WindowLister(env["DISPLAY"]))
        watcher.start()
        try:
            assert watcher.problem is not None
            assert "No window manager is running" in watcher.problem
        finally:
            watcher.stop()


class Sent:
    def __init__(self) -> None:
        self.at: list[float] = []

    def __call__(self, jpeg: bytes) -> bool:
        self.at.append(time.monotonic())
        return False


@pytest.mark.x11
async def test_a_password_manager_appearing_pauses_video_within_one_frame(desktop: None) -> None:
    settings = VideoSettings(fps=2.0, change_detection=False)  # a frame every 0.5 s, always
    interval_s = 1.0 / settings.fps
    watcher = AutoPauseWatcher()
    await asyncio.to_thread(watcher.start)
    holds: list[tuple[float, NoFrameNow | None]] = []
    shared = Region(200, 150, 1280, 720)
    producer = FrameProducer(
        ScreenSource(region=shared),
        filters=[AutoPauseGate(watcher)],
        on_hold=lambda h: holds.append((time.monotonic(), h)),
    )
    sent = Sent()
    pipeline = VideoPipeline(producer, settings, sent)
    task = asyncio.create_task(pipeline.run(), name="video")
    try:
        await _until(lambda: len(sent.at) >= 2, 10)
        assert pipeline.hold is None

        manager = await asyncio.to_thread(
            AppWindow, "Passwords.kdbx - KeePassXC", 400, 300, 500, 350, wm_class="keepassxc"
        )
        appeared = time.monotonic()  # it says so right after its first paint
        try:
            await _until(lambda: pipeline.hold is not None, 5)
            held_at, held = holds[-1]
            assert held is not None and held.badge == "paused: KeePassXC"
            assert "KeePassXC is on the shared screen" in held.notice
            assert held_at - appeared < interval_s  # within one frame interval
            sent_when_held = len(sent.at)
            await asyncio.sleep(4 * interval_s)
            assert len(sent.at) == sent_when_held  # nothing goes out while it is there
            assert pipeline.hold is not None

            await asyncio.to_thread(manager.command, "minimize")  # minimised: video resumes
            await _until(lambda: len(sent.at) > sent_when_held, 5)
            assert pipeline.hold is None
            await asyncio.to_thread(manager.command, "restore")
            await _until(lambda: pipeline.hold is not None, 5)
        finally:
            await asyncio.to_thread(manager.close)
        count = len(sent.at)
        await _until(lambda: len(sent.at) > count, 5)  # closed: frames flow again
        assert holds[-1][1] is None

        # A password manager beside the shared region does not pause it.
        with AppWindow("Vault - KeePassXC", 1500, 880, 300, 150, wm_class="keepassxc"):
            await asyncio.sleep(3 * interval_s)
            assert pipeline.hold is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.to_thread(watcher.stop)


async def _until(predicate, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
