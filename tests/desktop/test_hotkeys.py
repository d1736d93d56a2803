"""Global hotkeys: the pure parts (bindings, tap vs hold) and XGrabKey on the real X server,
pressed with xdotool while another application's window has the focus."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from liveview.desktop.hotkey_platform import open_backend
from liveview.desktop.hotkeys import (
    DEFAULT_HOTKEYS,
    RELEASE_ACTIONS,
    Binding,
    GlobalHotkeys,
    GrabStatus,
    HotkeyAction,
    Modifier,
    TalkEvent,
    TapHoldSwitch,
    parse_binding,
)
from liveview.desktop.hotkeys_x11 import X11Hotkeys, open_x11_backend
from liveview.errors import ConfigError
from tests.desktop.x11 import AppWindow, private_display
from tests.support.waiting import wait_until as wait_for

# --- bindings ------------------------------------------------------------------------------


def test_bindings_parse_and_print_canonically() -> None:
    binding = parse_binding("ctrl+ALT+space")
    assert binding == Binding("Space", frozenset({Modifier.CTRL, Modifier.ALT}))
    assert binding.text == "Ctrl+Alt+Space"
    assert parse_binding("Control+Option+t").text == "Ctrl+Alt+T"
    assert parse_binding("Win+Shift+PageDown").text == "Shift+Super+PageDown"
    assert parse_binding("F8").text == "F8"  # a bare function key is allowed
    assert [parse_binding(t).text for t in DEFAULT_HOTKEYS.values()] == [
        "Ctrl+Alt+Space",
        "Ctrl+Alt+T",
        "Ctrl+Alt+S",
        "Ctrl+Alt+P",
        "Ctrl+Alt+H",
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "names no key"),
        ("Ctrl+", "names no key"),
        ("Hyper+T", "'Hyper' is not a modifier"),
        ("Ctrl+Alt+Banana", "'Banana' is not a key"),
        ("T", "has no modifier"),
    ],
)
def test_bad_bindings_say_why(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_binding(text)


# --- tap = toggle, hold = push-to-talk -------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_hold_is_push_to_talk() -> None:
    clock = FakeClock()
    switch = TapHoldSwitch(clock, hold_threshold_s=0.4)
    assert switch.press() == [TalkEvent.START]  # talking starts at once, before we know
    clock.now += 0.1
    assert switch.press() == []  # autorepeat while held
    clock.now += 0.5
    assert switch.release() == [TalkEvent.STOP]
    assert not switch.talking and not switch.latched


def test_a_tap_toggles_on_and_the_next_tap_off() -> None:
    clock = FakeClock()
    switch = TapHoldSwitch(clock, hold_threshold_s=0.4)
    assert switch.press() == [TalkEvent.START]
    clock.now += 0.15
    assert switch.release() == []  # a tap: stays on
    assert switch.talking and switch.latched
    clock.now += 3.0
    assert switch.press() == [TalkEvent.STOP]  # off at the press, not at the release
    clock.now += 1.0  # even a long hold now does not start talking again
    assert switch.release() == []
    assert not switch.talking
    assert switch.press() == [TalkEvent.START]  # and the cycle starts over


def test_the_threshold_is_inclusive_and_stray_releases_are_ignored() -> None:
    clock = FakeClock()
    switch = TapHoldSwitch(clock, hold_threshold_s=0.4)
    assert switch.release() == []
    switch.press()
    clock.now += 0.4
    assert switch.release() == [TalkEvent.STOP]
    switch.press()
    assert switch.reset() == [TalkEvent.STOP]
    assert switch.reset() == []


# --- X11 -------------------------------------------------------------------------------------


def xdotool(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["xdotool", *args], check=True, env=env)


@pytest.fixture
def focused(desktop: None) -> Iterator[AppWindow]:
    """Another application's window, with the keyboard focus."""
    with AppWindow("some other application", 100, 100, 400, 300, seed=1) as window:
        xdotool("windowactivate", "--sync", str(window.window_id))
        active = subprocess.run(
            ["xdotool", "getactivewindow"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert int(active) == window.window_id
        yield window


@pytest.mark.x11
async def test_every_default_fires_on_the_loop_thread_while_another_app_has_focus(
    focused: AppWindow,
) -> None:
    loop = asyncio.get_running_loop()
    hotkeys = GlobalHotkeys(open_backend(), loop)
    assert hotkeys.backend_name == "X11 (XGrabKey)"
    seen: list[tuple[str, HotkeyAction, bool]] = []
    loop_thread = threading.get_ident()

    def handler(action: HotkeyAction, kind: str):  # type: ignore[no-untyped-def]
        def record() -> None:
            seen.append((kind, action, threading.get_ident() == loop_thread))

        return record

    handlers = {
        a: (handler(a, "press"), handler(a, "release") if a in RELEASE_ACTIONS else None)
        for a in HotkeyAction
    }
    try:
        results = await asyncio.to_thread(hotkeys.register_actions, DEFAULT_HOTKEYS, handlers)
        assert all(r.ok for r in results.values()), results
        for action, text in DEFAULT_HOTKEYS.items():
            await asyncio.to_thread(xdotool, "key", text.lower())
            await _until(lambda a=action: ("press", a, True) in seen)
        assert [s for s in seen if s[0] == "press"] == [("press", a, True) for a in HotkeyAction]
        assert ("release", HotkeyAction.TALK, True) in seen
        assert all(on_loop for _, _, on_loop in seen)
    finally:
        hotkeys.close()


async def _until(predicate, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "the hotkey never arrived"
        await asyncio.sleep(0.02)


@pytest.mark.x11
def test_a_held_key_is_one_press_and_one_release_and_numlock_does_not_matter(
    focused: AppWindow,
) -> None:
    events: list[tuple[str, float]] = []
    backend = X11Hotkeys()
    try:
        result = backend.register(
            parse_binding("Ctrl+Alt+T"),
            lambda: events.append(("press", time.monotonic())),
            lambda: events.append(("release", time.monotonic())),
        )
        assert result.ok, result
        xdotool("keydown", "ctrl+alt+t")
        time.sleep(0.9)  # long enough for the server's autorepeat to start (660 ms delay)
        xdotool("keyup", "ctrl+alt+t")
        assert wait_for(lambda: len(events) >= 2, timeout_s=5)
        time.sleep(0.2)
        assert [kind for kind, _ in events] == ["press", "release"]
        assert events[1][1] - events[0][1] > 0.7
        switch = TapHoldSwitch(lambda: 0.0)  # the held key drives push-to-talk
        assert switch.press() == [TalkEvent.START]

        events.clear()
        xdotool("key", "Num_Lock")  # NumLock on: a different modifier state for X11
        try:
            xdotool("key", "ctrl+alt+t")
            assert wait_for(lambda: len(events) >= 2, timeout_s=5), "lost with NumLock on"
        finally:
            xdotool("key", "Num_Lock")
    finally:
        backend.close()


GRABBER = """
import sys, time
from Xlib import display, X, XK
d = display.Display()
root = d.screen().root
code = d.keysym_to_keycode(XK.string_to_keysym("p"))
root.grab_key(code, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync)
d.sync()
print("grabbed", flush=True)
sys.stdin.readline()
"""


@pytest.mark.x11
async def test_a_key_another_client_grabbed_is_reported_taken(focused: AppWindow) -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", GRABBER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    hotkeys = GlobalHotkeys(open_backend(), asyncio.get_running_loop())
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "grabbed"
        taken = await asyncio.to_thread(hotkeys.register, parse_binding("Ctrl+Alt+P"), _nothing)
        assert taken.status is GrabStatus.TAKEN
        assert "Ctrl+Alt+P is taken by another application (X11 BadAccess)" in taken.message
        # The other keys are still ours, and the failed one left nothing half-grabbed.
        pressed = asyncio.Event()
        fine = await asyncio.to_thread(hotkeys.register, parse_binding("Ctrl+Alt+H"), pressed.set)
        assert fine.ok
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+h")
        await asyncio.wait_for(pressed.wait(), 5)
        # liveview's own second use of a key is caught before the X server is asked.
        again = await asyncio.to_thread(hotkeys.register, parse_binding("Ctrl+Alt+H"), _nothing)
        assert again.status is GrabStatus.DUPLICATE
        # Once the other client lets go, the key can be had.
        assert other.stdin is not None
        other.stdin.write("\n")
        other.stdin.flush()
        other.wait(5)
        freed = await asyncio.to_thread(hotkeys.register, parse_binding("Ctrl+Alt+P"), _nothing)
        assert freed.ok
    finally:
        hotkeys.close()
        if other.poll() is None:
            other.kill()
        other.communicate()  # reaps it and closes its pipes


def _nothing() -> None:
    return None


@pytest.mark.x11
def test_a_key_this_keyboard_lacks_is_unsupported(desktop: None) -> None:
    backend = X11Hotkeys()
    try:
        result = backend.register(parse_binding("Ctrl+Alt+F24"), _nothing)  # Xvfb has no F24
        assert result.status is GrabStatus.UNSUPPORTED
        assert "no F24 key" in result.message
    finally:
        backend.close()


# python-xlib leaves its TCP socket open when a connection to a display fails (its bug, not
# ours): that ResourceWarning is not what this test is about.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_display_is_said_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    result = open_backend().register(parse_binding("Ctrl+Alt+T"), _nothing)
    assert result.status is GrabStatus.UNAVAILABLE
    assert "DISPLAY is not set" in result.message
    gone = open_x11_backend(":987").register(parse_binding("Ctrl+Alt+T"), _nothing)
    assert gone.status is GrabStatus.UNAVAILABLE
    assert "Cannot connect to the X display ':987'" in gone.message


@pytest.mark.x11
def test_hotkeys_work_without_a_window_manager() -> None:
    # XGrabKey is the X server's business, not the window manager's: keys still work.
    with private_display(with_wm=False) as env:
        events: list[str] = []
        backend = X11Hotkeys(env["DISPLAY"])
        try:
            assert backend.register(parse_binding("Ctrl+Alt+S"), lambda: events.append("s")).ok
            xdotool("key", "ctrl+alt+s", env=env)
            assert wait_for(lambda: events == ["s"], timeout_s=5)
        finally:
            backend.close()
    assert os.environ.get("DISPLAY") != env["DISPLAY"]


def test_a_mic_opened_elsewhere_is_closed_by_the_next_press() -> None:
    clock = FakeClock()
    switch = TapHoldSwitch(clock, hold_threshold_s=0.4)
    switch.latch()  # the window's mic button turned it on
    assert switch.talking and switch.latched
    assert switch.press() == [TalkEvent.STOP]
    clock.now += 1.0
    assert switch.release() == []
    assert switch.press() == [TalkEvent.START]
    switch.latch()  # ignored while the key is down
    clock.now += 0.6
    assert switch.release() == [TalkEvent.STOP]
