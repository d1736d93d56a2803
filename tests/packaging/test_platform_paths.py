"""The Windows and macOS code paths the release workflow builds, read from here (no Windows or
macOS machine is at hand): the spec's per-OS branches, DPI awareness, the macOS privacy strings,
keyring's OS backends in the bundle, and no PulseAudio-only step outside Linux."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import plistlib
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from liveview import selftest
from liveview.audio import devices, engine
from liveview.selftest import Report, SelfTestFailure

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT / "packaging" / "liveview.spec").read_text(encoding="utf-8")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_options = _load("bundle_options", ROOT / "packaging" / "bundle_options.py")


# --- the spec's branches ----------------------------------------------------------------------


def test_each_os_gets_its_own_executables() -> None:
    # Windows: a windowed liveview.exe and a console liveview-cli.exe; macOS: a windowed exe
    # (a console one makes the .app LSBackgroundOnly); Linux: one console program.
    assert [bundle_options.windowed(p) for p in ("win32", "darwin", "linux")] == [1, 1, 0]
    assert [bundle_options.console_twin(p) for p in ("win32", "darwin", "linux")] == [1, 0, 0]
    assert "console=not bundle_options.windowed(sys.platform)," in SPEC
    assert "if bundle_options.console_twin(sys.platform):" in SPEC
    assert 'name="liveview-cli",' in SPEC and "console=True," in SPEC


def test_the_spec_has_the_windows_and_macos_branches() -> None:
    assert (
        'if sys.platform == "win32":\n    from PyInstaller.utils.win32 import versioninfo' in SPEC
    )
    assert 'if sys.platform == "darwin":\n    import plistlib' in SPEC
    assert 'BUNDLE(  # noqa: F821\n        coll,\n        name="liveview.app"' in SPEC
    assert 'icon = {"win32": _icon(".ico"), "darwin": _icon(".icns")}' in SPEC
    # Each OS's own Qt platform plugin and style survive the plugin filter.
    for plugin in ("qwindows", "libqcocoa", "libqxcb", "qmodernwindowsstyle", "libqmacstyle"):
        assert f'"{plugin}"' in SPEC, plugin


def test_keyring_backends_for_each_os_are_collected() -> None:
    assert "hiddenimports += bundle_options.hidden_imports(sys.platform)" in SPEC
    assert 'hiddenimports += collect_submodules("keyring.backends")' in SPEC
    windows = bundle_options.hidden_imports("win32")
    mac = bundle_options.hidden_imports("darwin")
    assert "keyring.backends.Windows" in windows and "win32ctypes.pywin32.win32cred" in windows
    assert "keyring.backends.macOS" in mac and "keyring.backends.macOS.api" in mac
    assert "keyring.backends.SecretService" in bundle_options.hidden_imports("linux")
    for name in [*windows, *mac]:
        if name.startswith("keyring."):  # win32ctypes is installed on Windows only
            assert importlib.util.find_spec(name) is not None, name
    # keyring brings pywin32-ctypes on Windows: what its backend imports there.
    requires = importlib.metadata.requires("keyring") or []
    assert any(r.startswith("pywin32-ctypes") and "win32" in r for r in requires), requires


def test_the_self_test_fails_a_bundle_without_the_os_keychain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring.core
    from keyring.backends import Windows, fail

    # What keyring falls back to when no backend of the OS is in the bundle.
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(SelfTestFailure, match=r"keyring chose keyring\.backends\.fail\.Keyring"):
        selftest.check_keyring(Report())
    monkeypatch.setattr(keyring.core, "_keyring_backend", Windows.WinVaultKeyring())
    assert selftest.check_keyring(Report()) == "keyring.backends.Windows.WinVaultKeyring"
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(SelfTestFailure, match=r"not keyring\.backends\.macOS"):
        selftest.check_keyring(Report())
    monkeypatch.setattr(sys, "platform", "linux")
    assert "not checked" in selftest.check_keyring(Report())
    assert ("keyring", selftest.check_keyring) in selftest.STEPS


# --- Windows DPI awareness ------------------------------------------------------------------------


def test_qt_alone_sets_the_dpi_awareness() -> None:
    # Qt 6 makes the process per-monitor DPI aware (v2) when the QApplication is created; a DPI
    # setting in the exe's manifest, or any earlier call, makes that fail and leaves the window
    # blurry or mis-scaled on a second monitor. PyInstaller's default manifest declares none, and
    # the spec gives no manifest of its own.
    from PyInstaller.utils.win32.winmanifest import create_application_manifest

    manifest = create_application_manifest().decode("utf-8")
    assert "<assembly" in manifest and not re.search("dpiAware", manifest, re.I)
    assert "manifest=" not in SPEC
    overrides = re.compile(
        r"SetProcessDpiAware|SetProcessDpiAwareness|QT_ENABLE_HIGHDPI_SCALING|QT_SCALE_FACTOR"
        r"|QT_AUTO_SCREEN_SCALE_FACTOR|AA_DisableHighDpiScaling|AA_EnableHighDpiScaling"
    )
    for path in (ROOT / "liveview").rglob("*.py"):
        assert not overrides.search(path.read_text(encoding="utf-8")), path


def test_the_smoke_test_fails_when_qt_could_not_set_it(tmp_path: Path) -> None:
    # The warning Qt's Windows plugin prints when something set the awareness first (mss does in
    # MSS() on Windows, so a grab before the QApplication would).
    binary = tmp_path / "liveview"
    binary.write_text(
        "#!/bin/sh\necho 'qt.qpa.window: SetProcessDpiAwarenessContext() failed: Access is "
        "denied.'\necho 'liveview self-test: OK (version 0, fake)'\n"
    )
    binary.chmod(0o755)
    env = {**os.environ, "SMOKE_LOG": str(tmp_path / "smoke.log"), "SMOKE_TIMEOUT_S": "60"}
    done = subprocess.run(["bash", str(ROOT / "packaging" / "smoke_test.sh"), str(binary)],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1 and "SetProcessDpiAwarenessContext" in done.stderr
    ps1 = (ROOT / "packaging" / "windows" / "smoke_test.ps1").read_text(encoding="utf-8")
    assert 'Get-Content (Join-Path $root "packaging\\smoke_patterns.txt")' in ps1


# --- macOS ----------------------------------------------------------------------------------------


def test_info_plist_has_the_purpose_strings_and_is_a_foreground_app() -> None:
    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    for key, word in (("NSCameraUsageDescription", "camera"),
                      ("NSMicrophoneUsageDescription", "voice"),
                      ("NSScreenCaptureUsageDescription", "screen")):  # fmt: skip
        assert word in plist[key] and len(plist[key]) > 40, key
    assert plist.get("LSBackgroundOnly", False) is False
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] == "12.0"
    dmg = (ROOT / "packaging" / "macos" / "make_dmg.sh").read_text(encoding="utf-8")
    assert (
        "NSCameraUsageDescription NSMicrophoneUsageDescription NSScreenCaptureUsageDescription"
        in dmg
    )
    assert ":LSBackgroundOnly" in dmg


def _path_without_timeout(tmp_path: Path) -> str:
    # macOS has no GNU timeout: a PATH holding every tool of this machine but that one.
    tools = tmp_path / "bin"
    tools.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for tool in Path(folder).iterdir() if Path(folder).is_dir() else ():
            if tool.name != "timeout" and not (tools / tool.name).exists():
                (tools / tool.name).symlink_to(tool)
    return str(tools)


def test_the_smoke_test_times_out_without_gnu_timeout(tmp_path: Path) -> None:
    slow = tmp_path / "liveview"
    slow.write_text("#!/bin/sh\nsleep 30\necho 'liveview self-test: OK (version 0, fake)'\n")
    slow.chmod(0o755)
    env = {**os.environ, "PATH": _path_without_timeout(tmp_path), "SMOKE_TIMEOUT_S": "2",
           "SMOKE_LOG": str(tmp_path / "smoke.log")}  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "packaging" / "smoke_test.sh"), str(slow)],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1 and "timed out after 2 s" in done.stderr, done.stderr
    assert time.monotonic() - started < 20
    quick = tmp_path / "quick"
    quick.write_text(
        "#!/bin/sh\necho '  ok  ocr read a line exactly'\n"
        "echo 'liveview self-test: OK (version 0, fake)'\n"
    )
    quick.chmod(0o755)
    done = subprocess.run(["bash", str(ROOT / "packaging" / "smoke_test.sh"), str(quick)],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "smoke test passed" in done.stdout, done.stderr


# --- PulseAudio stays on Linux ---------------------------------------------------------------------

PULSE_TOOLS = {"pactl", "parec", "pacat", "pulseaudio"}
# The measuring tools of tests and `liveview bench audio`, which checks for a server first.
PULSE_TOOL_USERS = {"liveview/audio/probe.py"}


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_only_the_measuring_tools_run_pulseaudio_commands() -> None:
    for path in (ROOT / "liveview").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in PULSE_TOOL_USERS:
            assert not PULSE_TOOLS & _string_constants(path), relative
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "liveview").rglob("*.py")
        if "liveview.audio.probe" in path.read_text(encoding="utf-8")
    }
    assert importers <= {"liveview/bench/audio.py", "liveview/audio/probe.py"}, importers
    bench = (ROOT / "liveview" / "bench" / "audio.py").read_text(encoding="utf-8")
    assert "if not pulse_available():" in bench


def test_no_audio_message_names_each_os_own_sound_settings() -> None:
    assert "PulseAudio" in devices.no_audio_message("linux")
    for platform in ("win32", "darwin"):
        message = devices.no_audio_message(platform)
        assert "Pulse" not in message and "PipeWire" not in message, message
        assert "text-only" in message
    assert devices.no_audio_message(sys.platform) == devices.NO_AUDIO_MESSAGE


def test_thread_priority_is_only_touched_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(os, "setpriority", lambda *args: calls.append(args), raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")  # a thread id is no process id there
    engine._raise_thread_priority()
    assert calls == []
    monkeypatch.setattr(sys, "platform", "linux")
    engine._raise_thread_priority()
    assert len(calls) == 1 and calls[0][2] == engine.AUDIO_THREAD_NICE
