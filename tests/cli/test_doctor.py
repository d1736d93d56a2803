"""`liveview doctor` against the real test machine: Xvfb, PulseAudio, and loopback HTTP servers
standing in for the Gemini REST endpoint (accepting, rejecting, missing)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from liveview.cli import doctor
from liveview.cli.doctor import CheckResult, DoctorOptions, Status
from tests.support.net import closed_port

ROOT = Path(__file__).resolve().parents[2]
FAKE_KEY = "AIzaFAKE-doctor-test-key-0123456789"
LIVE_MODEL = "gemini-3.1-flash-live-preview"


@pytest.fixture(autouse=True)
def _no_stored_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither the developer's keychain nor their environment may leak into these tests.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)


class _Handler(http.server.BaseHTTPRequestHandler):
    # Set per server: (status, body) to answer for the models list, and what was asked.
    answer: tuple[int, dict[str, object]] = (200, {})
    seen_keys: list[str]

    def do_GET(self) -> None:
        if self.path.startswith("/v1beta/models"):
            self.seen_keys.append(self.headers.get("x-goog-api-key", ""))
            status, body = self.answer
        else:
            status, body = 404, {"error": {"message": "not found"}}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve(status: int, body: dict[str, object]) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"answer": (status, body), "seen_keys": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _models(*names: str, live: bool = True) -> dict[str, object]:
    method = "bidiGenerateContent" if live else "generateContent"
    return {
        "models": [{"name": f"models/{n}", "supportedGenerationMethods": [method]} for n in names]
    }


def _by_key(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.key: r for r in results}


@pytest.mark.x11
@pytest.mark.pulse
def test_offline_checks_on_the_test_machine_find_display_screen_and_audio() -> None:
    results = _by_key(doctor.run_checks(DoctorOptions(network=False)))
    assert results["display"].status is Status.OK
    assert results["libraries"].status is Status.OK, results["libraries"].detail
    assert results["screen"].status is Status.OK
    assert "1920x1080" in results["screen"].detail
    assert results["microphone"].status is Status.OK
    assert "liveview_mic" in results["microphone"].detail
    assert results["speaker"].status is Status.OK
    assert "liveview_speaker" in results["speaker"].detail
    # No camera here: a warning with a fix, never a failure (screen sharing needs none).
    assert results["cameras"].status is Status.WARN and "video" in results["cameras"].fix
    assert results["api_key"].status is Status.WARN and "GEMINI_API_KEY" in results["api_key"].fix
    assert results["endpoint"].status is Status.SKIP
    assert doctor.exit_code(list(results.values())) == 0


def test_wayland_only_session_fails_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    display = doctor.check_display()
    assert display.status is Status.FAIL
    assert "XWayland" in display.fix
    assert doctor.check_screen(display).status is Status.SKIP


def test_missing_library_names_the_apt_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        doctor,
        "LINUX_LIBRARIES",
        (*doctor.LINUX_LIBRARIES, ("libliveview-nope.so.9", "liveview-nope9")),
    )
    result = doctor.check_libraries()
    assert result.status is Status.FAIL
    assert "liveview-nope9" in result.detail
    assert "liveview-nope9" in result.fix and "libxcb-cursor0" not in result.fix


def test_accepted_key_and_live_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
    for base, seen in _serve(200, _models(LIVE_MODEL, "gemini-2.5-pro", live=True)):
        results = _by_key(doctor.run_checks(DoctorOptions(api_base=base, model=LIVE_MODEL)))
        assert seen == [FAKE_KEY]  # sent as the header the service reads
    assert results["api_key"].status is Status.OK
    assert "GEMINI_API_KEY" in results["api_key"].detail
    assert results["endpoint"].status is Status.OK
    assert results["key_accepted"].status is Status.OK
    assert LIVE_MODEL in results["key_accepted"].detail


def test_accepted_key_but_retired_model_warns_with_the_offered_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
    for base, _ in _serve(200, _models("gemini-9-live")):
        result = _by_key(doctor.run_checks(DoctorOptions(api_base=base, model="old-model")))[
            "key_accepted"
        ]
    assert result.status is Status.WARN
    assert "gemini-9-live" in result.detail and "Settings > Model" in result.fix


def test_rejected_key_fails_and_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
    body = {
        "error": {
            "code": 400,
            "message": f"API key not valid: {FAKE_KEY}",
            "status": "INVALID_ARGUMENT",
        }
    }
    for base, _ in _serve(400, body):
        results = doctor.run_checks(DoctorOptions(api_base=base))
    accepted = _by_key(results)["key_accepted"]
    assert accepted.status is Status.FAIL
    assert "API key not valid" in accepted.detail and "aistudio" in accepted.fix
    text = "\n".join(doctor.format_result(r) for r in results) + json.dumps(
        [r.to_dict() for r in results]
    )
    assert FAKE_KEY not in text
    assert doctor.exit_code(results) == 1


def test_unreachable_endpoint_says_could_not_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    no_key = _by_key(doctor.run_checks(DoctorOptions(api_base=base, timeout_s=2)))
    assert no_key["endpoint"].status is Status.WARN  # the local server still works offline
    assert "could not reach" in no_key["endpoint"].detail
    monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
    with_key = _by_key(doctor.run_checks(DoctorOptions(api_base=base, timeout_s=2)))
    assert with_key["endpoint"].status is Status.FAIL  # a key means the user wants the service
    assert with_key["key_accepted"].status is Status.WARN
    assert "could not reach" in with_key["key_accepted"].detail


@pytest.mark.x11
@pytest.mark.pulse
def test_command_prints_fixes_and_json_and_exit_codes() -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("GEMINI_API_KEY", None)
    env.pop("GOOGLE_API_KEY", None)
    ok = subprocess.run(
        [sys.executable, "-m", "liveview", "doctor", "--offline", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    keys = {item["key"]: item["status"] for item in json.loads(ok.stdout)}
    assert keys["screen"] == "ok" and keys["microphone"] == "ok" and keys["api_key"] == "warn"
    no_display = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    broken = subprocess.run(
        [sys.executable, "-m", "liveview", "doctor", "--offline"],
        cwd=ROOT, env=no_display, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert broken.returncode == 1
    assert "[FAIL] Display: no display" in broken.stdout
    assert "problem(s) to fix: Display" in broken.stdout
