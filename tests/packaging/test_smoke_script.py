"""packaging/smoke_test.sh must fail on every sign of a broken bundle, whatever the exit code,
and `liveview --self-test` (what it runs in the frozen app) must pass from the source tree.
Also: the installer metadata carries what the platforms require."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from liveview.server.settings import AUDIO_PACING_ENV

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "packaging" / "smoke_test.sh"
READY = "liveview self-test: OK (version 0.1.0, fake)"
OCR = "  ok  ocr read 'quiet river lamp' exactly"


def _fake_binary(tmp_path: Path, output: str, code: int = 0) -> Path:
    binary = tmp_path / "liveview"
    binary.write_text(f"#!/bin/sh\ncat <<'OUT'\n{output}\nOUT\nexit {code}\n", encoding="utf-8")
    binary.chmod(0o755)
    return binary


def _smoke(tmp_path: Path, binary: Path | str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMOKE_LOG": str(tmp_path / "smoke.log"), "SMOKE_TIMEOUT_S": "60"}
    env[AUDIO_PACING_ENV] = "0.1"  # the self-test waits for whole spoken replies: 10x real time
    return subprocess.run(["bash", str(SMOKE), str(binary)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_clean_run_passes(tmp_path: Path) -> None:
    result = _smoke(tmp_path, _fake_binary(tmp_path, f"  ok  imports 98 modules\n{OCR}\n{READY}"))
    assert result.returncode == 0, result.stderr
    assert "smoke test passed" in result.stdout


@pytest.mark.parametrize(
    "bad_line",
    [
        "Traceback (most recent call last):",
        "ModuleNotFoundError: No module named 'liveview.ui.theme'",
        'qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.',
        "This application failed to start because no Qt platform plugin could be initialized.",
        "Cannot load library /opt/liveview/_internal/PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "[PYI-1234:ERROR] Failed to execute script 'entry' due to unhandled exception!",
        "liveview: error while loading shared libraries: libxcb-cursor.so.0: cannot open shared object file",
    ],
)
def test_any_sign_of_a_broken_bundle_fails_even_with_exit_0(tmp_path: Path, bad_line: str) -> None:
    result = _smoke(tmp_path, _fake_binary(tmp_path, f"{bad_line}\n{READY}"))
    assert result.returncode == 1
    assert "SMOKE TEST FAILED" in result.stderr


def test_a_bundle_that_cannot_read_text_fails(tmp_path: Path) -> None:
    result = _smoke(tmp_path, _fake_binary(tmp_path, f"  ok  imports 98 modules\n{READY}"))
    assert result.returncode == 1 and "text recognition is missing" in result.stderr


def test_no_ready_line_or_a_bad_exit_code_fails(tmp_path: Path) -> None:
    quiet = _smoke(tmp_path, _fake_binary(tmp_path, "  ok  imports 98 modules"))
    assert quiet.returncode == 1 and "no ready line" in quiet.stderr
    failed = _smoke(tmp_path, _fake_binary(tmp_path, READY, code=3))
    assert failed.returncode == 1 and "exit code 3" in failed.stderr


def test_a_missing_binary_is_a_usage_error(tmp_path: Path) -> None:
    result = _smoke(tmp_path, tmp_path / "nowhere" / "liveview")
    assert result.returncode == 2 and "packaging/build.sh" in result.stderr


@pytest.mark.x11
@pytest.mark.pulse
def test_liveview_self_test_from_the_source_tree(tmp_path: Path) -> None:
    # The very command the frozen smoke test runs, through the installed console script.
    liveview = shutil.which("liveview", path=str(ROOT / ".venv" / "bin")) or "liveview"
    result = _smoke(tmp_path, liveview)
    log = (tmp_path / "smoke.log").read_text(encoding="utf-8")
    assert result.returncode == 0, log + result.stderr
    assert "  ok  window" in log and "  ok  session" in log


def test_macos_info_plist_has_the_privacy_strings() -> None:
    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    for key in ("NSCameraUsageDescription", "NSMicrophoneUsageDescription"):
        assert len(plist[key]) > 20, key  # macOS kills an app that asks without a reason
    assert "Screen" in plist["LVScreenRecordingNote"]
    assert plist["CFBundleExecutable"] == "liveview"


def test_desktop_entry_and_launcher_point_at_the_installed_app() -> None:
    desktop = (ROOT / "resources" / "io.github.liveview.desktop").read_text(encoding="utf-8")
    assert "Exec=liveview" in desktop and "Icon=liveview" in desktop
    launcher = (ROOT / "packaging" / "linux" / "launcher.sh").read_text(encoding="utf-8")
    assert 'exec /opt/liveview/liveview "$@"' in launcher
    iss = (ROOT / "packaging" / "windows" / "liveview.iss").read_text(encoding="utf-8")
    assert r'Source: "{#Root}\dist\liveview\*"' in iss and "recursesubdirs" in iss
