"""`liveview.selftest`: the whole check from the source tree, offscreen, on the test machine's
Xvfb and PulseAudio, and what it says when something is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from liveview import selftest
from liveview.selftest import Report, SelfTestFailure
from liveview.server.settings import AUDIO_PACING_ENV

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "LIVEVIEW_LOG_DIR": str(tmp_path),
        # The session and window steps wait for whole spoken replies of the embedded server.
        AUDIO_PACING_ENV: "0.1",
        **extra,
    }


@pytest.mark.x11
@pytest.mark.pulse
def test_self_test_passes_from_source(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from liveview.selftest import main; sys.exit(main())"],
        cwd=ROOT, env=_env(tmp_path, LIVEVIEW_SELF_TEST_REQUIRE_AUDIO="1"),
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for step in ("log", "imports", "qt", "audio", "echo", "frames", "ocr", "session", "window"):
        assert f"  ok  {step}" in out, f"step {step} missing:\n{out}"
    assert out.splitlines()[-1].startswith(selftest.READY_PREFIX)
    assert "screen 1920x1080" in out  # the Xvfb screen was grabbed, not skipped
    assert "Traceback" not in out + result.stderr
    assert (tmp_path / "liveview.log").is_file()


def test_every_required_package_is_found_and_imported() -> None:
    names = selftest.liveview_module_names()
    packages = {n.split(".")[1] for n in names}
    assert set(selftest.REQUIRED_PACKAGES) <= packages
    assert "liveview.ui.app" in names and "liveview.selftest" in names


def test_a_missing_package_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "REQUIRED_PACKAGES", (*selftest.REQUIRED_PACKAGES, "gone"))
    with pytest.raises(SelfTestFailure, match=r"packages not installed: liveview\.gone"):
        selftest.check_imports(Report())


def test_a_failing_step_stops_the_run_with_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(report: Report) -> str:
        raise KeyError("cv2.data")

    steps = (("fine", lambda report: "fine"), ("broken", broken), ("never", lambda r: "x"))
    with pytest.raises(SelfTestFailure, match=r"^broken: KeyError: 'cv2.data'"):
        selftest.run(steps)
    out = capsys.readouterr()
    assert "  ok  fine" in out.out and "never" not in out.out
    assert "Traceback" in out.err  # an unexpected error is shown whole, for the bug report


def test_qt_plugin_warnings_count_as_failures() -> None:
    report = Report(qt_messages=[
        "This plugin does not support propagateSizeHints()",
        'qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.',
    ])  # fmt: skip
    assert selftest._qt_failures(report) == [report.qt_messages[1]]


@pytest.mark.pulse
def test_no_sound_server_fails_only_when_one_is_required(tmp_path: Path) -> None:
    code = (
        "import sys; from liveview import selftest; r = selftest.Report();"
        "print(selftest.check_audio(r))"
    )
    env = _env(tmp_path, PULSE_SERVER="unix:/nonexistent/native")
    relaxed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert relaxed.returncode == 0 and "0 input(s)" in relaxed.stdout
    env["LIVEVIEW_SELF_TEST_REQUIRE_AUDIO"] = "1"
    strict = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert strict.returncode != 0
    assert "a sound server runs here, but" in strict.stderr


def test_the_ocr_step_reads_a_rendered_line_of_random_words() -> None:
    report = Report()
    summary = selftest.check_ocr(report)
    assert summary.startswith("read '") and "exactly" in summary
    text, _jpeg = selftest.rendered_line(seed=7)
    assert text != selftest.rendered_line(seed=8)[0]  # the words differ from run to run
    assert "ocr" in report.facts


def test_the_ocr_step_fails_clearly_without_its_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from liveview.server import ocr_engine

    monkeypatch.setattr(ocr_engine, "default_model_dir", lambda: tmp_path)
    with pytest.raises(
        SelfTestFailure, match=r"text recognition cannot run: model file .*PP-OCRv6"
    ):
        selftest.check_ocr(Report())
