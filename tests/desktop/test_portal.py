"""The Wayland backend against a real D-Bus session bus (a private dbus-daemon) that has no
GlobalShortcuts portal, as on a desktop that does not offer it. The bound path needs a desktop
that implements the portal (KDE Plasma, GNOME 48+, Hyprland): not available on this machine."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from liveview.desktop.hotkey_platform import open_backend
from liveview.desktop.hotkeys import GrabStatus, parse_binding
from liveview.desktop.hotkeys_portal import open_portal_backend, preferred_trigger


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    assert shutil.which("dbus-daemon"), "dbus-daemon is not installed"
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), address
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        daemon.terminate()
        daemon.communicate(timeout=5)


def test_a_desktop_without_the_portal_gets_a_clear_note(
    session_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    backend = open_backend()  # a Wayland session: the portal is the only way
    result = backend.register(parse_binding("Ctrl+Alt+T"), lambda: None)
    assert result.status is GrabStatus.NO_PORTAL
    assert "Global hotkeys on Wayland need the desktop's GlobalShortcuts portal" in result.message
    assert "this desktop does not offer it" in result.message
    assert "still work while its window has the focus" in result.message
    backend.close()


def test_no_session_bus_at_all_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/liveview-bus")
    result = open_portal_backend().register(parse_binding("Ctrl+Alt+T"), lambda: None)
    assert result.status is GrabStatus.NO_PORTAL
    assert "there is no D-Bus session bus here" in result.message


def test_the_preferred_trigger_uses_the_portals_syntax() -> None:
    assert preferred_trigger(parse_binding("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert preferred_trigger(parse_binding("Shift+Super+T")) == "SHIFT+LOGO+t"
    assert preferred_trigger(parse_binding("Ctrl+F8")) == "CTRL+F8"
