"""`liveview headless` as a user runs it: a real process, real sockets, the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from liveview.protocol.catalogue import ModelInfo, Status
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.server.faults import parse_fault_spec
from liveview.server.settings import AUDIO_PACING_ENV


def headless(
    *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    }
    # The embedded server speaks at 10x real time: these tests read only the transcripts.
    full_env[AUDIO_PACING_ENV] = "0.1"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "liveview", "headless", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def server() -> Iterator[LocalLiveServer]:
    with running_in_thread(LocalLiveServer(use_espeak=False)) as srv:
        yield srv


def test_text_turns_are_answered_in_order_by_the_embedded_local_server(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    result = headless(
        "--text",
        "first question",
        "--text",
        "second question",
        "--no-audio",
        "--events",
        str(events),
    )
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    assert "backend: local server" in result.stderr
    out = result.stdout
    assert out.index('You typed "first question"') < out.index('You typed "second question"')
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    types = [r["type"] for r in rows]
    assert types.count("TurnComplete") == 2
    assert {"t", "type"} <= set(rows[0])
    sent = [r for r in rows if r["type"] == "WireMessage" and r["direction"] == "out"]
    assert [r["kind"] for r in sent[:1]] == ["setup"]


def test_spoken_replies_arrive_as_audio_events(server: LocalLiveServer, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    result = headless("--url", server.url, "--text", "hello", "--events", str(events))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    audio = [r for r in rows if r["type"] == "ModelAudio"]
    assert audio and all(r["sample_rate_hz"] == 24_000 for r in audio)
    assert all(set(r["data"]) == {"bytes"} for r in audio)  # sizes, never payloads
    assert "hello" in result.stdout  # the output transcription streams to stdout


def test_refused_connection_is_one_clear_message_and_exit_4() -> None:
    result = headless("--url", "ws://127.0.0.1:9", "--text", "hi")
    assert_clean(result)
    assert result.returncode == 4
    assert result.stderr.count("refused the connection") == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--url", "http://example.com"], "ws://"),
        (["--voice", "Nobody"], "invalid choice"),
        (["--source", "file:/nonexistent/clip.mp4"], "does not exist"),
        (["--source", "screen:9"], "Monitors: 1:"),
        (["--source", "screen:1", "--region", "1900,1000,500,500"], "region"),
        (["--backend", "gemini"], "No API key"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_traceback(args: list[str], needle: str) -> None:
    result = headless(*args, "--text", "hi")
    assert_clean(result)
    assert result.returncode in (2, 3)
    assert needle in result.stderr


def test_plain_ws_with_a_key_to_a_remote_host_is_refused() -> None:
    result = headless(
        "--url", "ws://example.com/live", "--text", "hi", env={"GEMINI_API_KEY": "secret-key-123"}
    )
    assert result.returncode == 3
    assert "Refusing to send an API key" in result.stderr
    assert "secret-key-123" not in result.stderr + result.stdout


def test_a_server_that_never_finishes_setup_times_out_with_exit_4(server: LocalLiveServer) -> None:
    server.faults.plan(*parse_fault_spec("stall@accept"))
    result = headless("--url", server.url, "--text", "hi", "--connect-timeout", "1")
    assert_clean(result)
    assert result.returncode == 4
    assert "setup" in result.stderr.lower()


def test_garbage_from_the_server_is_reported_and_the_session_goes_on(
    server: LocalLiveServer,
) -> None:
    server.faults.plan(*parse_fault_spec("malformed@setup"))
    result = headless("--url", server.url, "--text", "still there?", "--no-audio")
    assert_clean(result)
    assert result.returncode == 0
    assert "skipped a bad server message" in result.stderr
    assert 'You typed "still there?"' in result.stdout


@pytest.mark.parametrize(
    ("server_options", "needle"),
    [
        ({"api_key": "the-right-key"}, "API key was rejected"),
        ({"retired_models": ("models/old-model",)}, "Settings > Model"),
    ],
)
def test_fatal_errors_make_exactly_one_attempt_and_exit_3(
    server_options: dict[str, object], needle: str
) -> None:
    with running_in_thread(LocalLiveServer(use_espeak=False, **server_options)) as srv:
        result = headless(
            "--url",
            srv.url,
            "--model",
            "old-model",
            "--text",
            "hi",
            env={"GEMINI_API_KEY": "wrong-key"},
        )
        assert len(srv.connections) == 1
    assert_clean(result)
    assert result.returncode == 3
    assert needle in result.stderr
    assert "wrong-key" not in result.stderr


def test_screen_frames_reach_the_local_server_decodable_and_sized(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    record = tmp_path / "record.jsonl"
    with running_in_thread(LocalLiveServer(use_espeak=False, record_path=record)) as srv:
        result = headless(
            "--url",
            srv.url,
            "--source",
            "screen:1",
            "--max-side",
            "960",
            "--duration",
            "3",
            "--no-audio",
        )
    assert result.returncode == 0, result.stderr
    import base64

    frames = []
    for line in record.read_text().splitlines():
        video = json.loads(line).get("realtimeInput", {}).get("video")
        if video:
            assert video["mimeType"] == "image/jpeg"
            data = np.frombuffer(base64.b64decode(video["data"]), np.uint8)
            frames.append(cv2.imdecode(data, cv2.IMREAD_COLOR))
    assert frames, "no frame reached the server"
    assert all(f is not None and f.shape[:2] == (540, 960) for f in frames)
    setup = json.loads(record.read_text().splitlines()[0])["setup"]
    assert "contextWindowCompression" in setup  # video on: sessions must not end at ~2 min


def test_a_question_with_a_video_source_waits_for_the_first_frame(tmp_path: Path) -> None:
    # Asked at once, "what do you see?" would reach the model before any frame did.
    events = tmp_path / "events.jsonl"
    result = headless(
        "--source", "test", "--text", "what do you see?", "--no-audio", "--events", str(events)
    )  # fmt: skip
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    assert "No video frame has arrived yet" not in result.stdout
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    sent = [r["kind"] for r in rows if r["type"] == "WireMessage" and r["direction"] == "out"]
    first_frame = next(i for i, kind in enumerate(sent) if kind.startswith("realtimeInput.video"))
    assert first_frame < sent.index("clientContent"), sent


def test_list_sources_names_the_monitor() -> None:
    result = headless("--list-sources")
    assert result.returncode == 0
    assert "1920x1080" in result.stdout


def test_a_full_disk_for_the_events_file_is_said_once_and_the_session_goes_on() -> None:
    # /dev/full accepts the open and fails every write with ENOSPC: a full disk, for real.
    result = headless("--text", "hello", "--no-audio", "--events", "/dev/full")
    assert_clean(result)
    assert result.returncode == 0
    assert result.stderr.count("events file could not be written") == 1
    assert 'You typed "hello"' in result.stdout


def test_text_replies_on_gemini_3_8_arrive_through_the_transcription(tmp_path: Path) -> None:
    """`--model gemini-3.8-live --no-audio --text hi`, as a new user tries it: today's model
    refuses TEXT (the strict local server closes 1007 for it), so liveview asks for AUDIO with
    its transcription, prints the transcript and plays nothing."""
    record = tmp_path / "received.jsonl"
    strict = LocalLiveServer(use_espeak=False, audio_pacing=0.25, record_path=record)
    with running_in_thread(strict) as srv:
        result = headless(
            "--url", srv.url, "--backend", "local", "--model", "gemini-3.8-live",
            "--no-audio", "--text", "hi",
        )  # fmt: skip
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    assert 'You typed "hi"' in result.stdout
    setup = json.loads(record.read_text().splitlines()[0])["setup"]
    assert setup["generationConfig"]["responseModalities"] == ["AUDIO"]
    assert "outputAudioTranscription" in setup


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--tools", "code"), "cannot run code"),
        (("--thinking", "high"), "takes no thinking setting"),
        (("--model", "liveview-local", "--tools", "search"), "cannot search"),
    ],
)
def test_a_setting_the_model_does_not_take_exits_2_naming_the_model(
    args: tuple[str, ...], named: str
) -> None:
    result = headless("--backend", "local", "--model", "gemini-3.8-live", *args, "--text", "x")
    assert_clean(result)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    model = args[args.index("--model") + 1] if "--model" in args else "gemini-3.8-live"
    assert model in result.stderr


def test_thinking_and_media_resolution_reach_the_setup(tmp_path: Path) -> None:
    record = tmp_path / "received.jsonl"
    strict = LocalLiveServer(use_espeak=False, audio_pacing=0.25, record_path=record)
    with running_in_thread(strict) as srv:
        result = headless(
            "--url", srv.url, "--backend", "local",
            "--model", "gemini-3.8-live-extended-thinking", "--thinking", "high",
            "--media-resolution", "low", "--transcription-language", "en-US,de-DE",
            "--no-audio", "--text", "plan it",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    setup = json.loads(record.read_text().splitlines()[0])["setup"]
    assert setup["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "HIGH"}
    assert setup["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
    assert setup["inputAudioTranscription"] == {"languageCodes": ["en-US", "de-DE"]}
    # Extended thinking speaks a filler first, then the answer, for one request.
    assert "Let me look into that." in result.stdout and 'You typed "plan it"' in result.stdout


def test_a_refusal_by_the_service_is_never_retried_and_names_the_setting(tmp_path: Path) -> None:
    """A model liveview's catalogue does not know gets what the user asks for; when the
    service refuses it, that is said once, naming the setting, and not retried."""
    newer = ModelInfo(id="gemini-9-live", display_name="A newer model", status=Status.STABLE)
    server = LocalLiveServer(use_espeak=False, extra_models=(newer,))
    with running_in_thread(server) as srv:
        result = headless(
            "--url", srv.url, "--backend", "local", "--model", "gemini-9-live",
            "--thinking", "high", "--text", "hello",
        )  # fmt: skip
        attempts = len(srv.connections)
    assert_clean(result)
    assert result.returncode == 3, result.stderr
    assert "Thinking" in result.stderr and "gemini-9-live" in result.stderr
    assert attempts == 1, "a setting's rejection is never retried"
