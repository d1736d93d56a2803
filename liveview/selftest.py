"""`liveview --self-test`: prove an installation works end to end, then exit.

Built for the frozen app (where a module or a Qt plugin left out of the bundle only shows up when
a user hits it) and equally runnable from a checkout; offscreen is fine
(`QT_QPA_PLATFORM=offscreen`).
Steps, each printed with its result:

  log          the rotating log file and crash hooks installed (the log folder is writable)
  imports      every liveview module (a missing one names itself)
  qt           a QApplication on the platform plugin, a window shown, JPEG/SVG image plugins
  audio        the audio devices Qt sees (none is a warning: text-only still works)
  echo         one 10 ms frame through WebRTC echo cancellation (livekit's native library)
  keyring      Windows and macOS: keyring picks the OS keychain (its backend is in the bundle)
  frames       a test-pattern frame grabbed, JPEG-encoded and decoded; the screen too when a
               display exists
  ocr          one line of random words drawn with a real font, JPEG-encoded and read back by the
               local server's text recognition (RapidOCR's bundled models on onnxruntime)
  session      the bundled local server started in-process on loopback, a session set up, a
               frame and a typed question sent, a text reply received
  window       the real main window (liveview.ui.app.run_app in its self-test mode): shown,
               a turn typed to its own local server, the reply read back from the transcript

The last line is `liveview self-test: OK ...` (exit 0) or `liveview self-test: FAILED: ...`
(exit 1).
Any Qt warning that a plugin or library could not be loaded fails the test as well.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import liveview

READY_PREFIX = "liveview self-test: OK"
FAILED_PREFIX = "liveview self-test: FAILED"
SESSION_TIMEOUT_S = 45.0
# Packages a working installation must contain (a bundle missing one is broken).
REQUIRED_PACKAGES = ("audio", "capture", "cli", "core", "encode", "protocol", "server",
                     "transport", "ui")  # fmt: skip
# Qt messages that mean a part of the installation is missing; any of them fails the test.
QT_FAILURE_MARKERS = (
    "could not load the qt platform plugin",
    "could not find the qt platform plugin",
    "cannot load library",
    "failed to load",
    "no qt platform plugin could be initialized",
    "cannot mix incompatible qt library",
)
# Set (to 1) where a sound server is known to run, e.g. by packaging/smoke_test.sh when
# `pactl info` answers: then finding no audio device is a failure (a bundle that cannot reach
# the sound server), not a warning.
REQUIRE_AUDIO_ENV = "LIVEVIEW_SELF_TEST_REQUIRE_AUDIO"
SELF_TEST_QUESTION = "liveview self-test: what do you see?"
TEST_PATTERN_SIZE = (640, 360)
OCR_LINE_SIZE = (720, 96)


class SelfTestFailure(Exception):
    """A step found the installation broken; the message says what and how to fix it."""


@dataclass
class Report:
    facts: dict[str, str] = field(default_factory=dict)
    qt_messages: list[str] = field(default_factory=list)


def _say(text: str) -> None:
    print(text, flush=True)


def build_info() -> dict[str, Any]:
    """Version, commit and build date of a frozen bundle; version and git commit from a checkout."""
    from liveview.buildinfo import build_info as read_build_info

    return read_build_info()


def _frozen_root() -> Path | None:
    from liveview.buildinfo import frozen_root

    return frozen_root()


# --- steps ---------------------------------------------------------------------------------------


def liveview_module_names() -> list[str]:
    """Every liveview module, walking namespace packages (no __init__.py) as well."""
    names = {
        info.name
        for info in pkgutil.walk_packages(liveview.__path__, "liveview.", onerror=_walk_error)
    }
    for package in REQUIRED_PACKAGES:
        name = f"liveview.{package}"
        if name in names:
            continue
        try:  # pkgutil skips a folder without __init__.py: import it and walk it directly
            module = importlib.import_module(name)
        except ImportError:
            continue
        names.add(name)
        prefix = name + "."
        found = pkgutil.walk_packages(module.__path__, prefix, onerror=_walk_error)
        names.update(info.name for info in found)
    return sorted(names)


def check_imports(report: Report) -> str:
    names = liveview_module_names()
    failed: list[str] = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # report every missing module, not just the first
            failed.append(f"could not import {name} ({type(exc).__name__}: {exc})")
    found = {name.split(".")[1] for name in names}
    missing = [p for p in REQUIRED_PACKAGES if p not in found]
    if missing:
        failed.append(f"packages not installed: {', '.join('liveview.' + p for p in missing)}")
    if failed:
        raise SelfTestFailure("; ".join(failed))
    report.facts["modules"] = str(len(names))
    return f"{len(names)} modules"


def _walk_error(name: str) -> None:
    raise SelfTestFailure(f"could not import package {name}: {sys.exc_info()[1]}")


def _install_qt_message_handler(report: Report) -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode: QtMsgType, context: object, message: str) -> None:
        if mode not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            report.qt_messages.append(message)
            sys.stderr.write(f"qt: {message}\n")

    qInstallMessageHandler(handler)


def _qt_failures(report: Report) -> list[str]:
    return [m for m in report.qt_messages if any(k in m.lower() for k in QT_FAILURE_MARKERS)]


def check_qt(report: Report) -> str:
    # The self-test exercises the whole stack, the GUI toolkit included: this is the one place
    # outside liveview/ui that opens a window (offscreen when QT_QPA_PLATFORM=offscreen).
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon, QImageReader
    from PySide6.QtWidgets import QApplication, QLabel

    app = QCoreApplication.instance()
    if app is not None and not isinstance(app, QApplication):
        raise SelfTestFailure("a QCoreApplication already exists: the window cannot be tested")
    app = app or QApplication(["liveview", "--self-test"])
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = [f for f in ("jpeg", "png", "svg") if f not in formats]
    if missing:
        raise SelfTestFailure(f"Qt image format plugins missing: {', '.join(missing)}")
    window = QLabel("liveview self-test")
    icon = _app_icon_path()
    if icon is not None:
        window.setWindowIcon(QIcon(str(icon)))
    window.resize(320, 120)
    window.show()
    deadline = time.monotonic() + 5.0
    while not window.isVisible() and time.monotonic() < deadline:
        app.processEvents()
    app.processEvents()
    shown = window.isVisible()
    window.close()
    if not shown:
        raise SelfTestFailure("the test window was never shown")
    failures = _qt_failures(report)
    if failures:
        raise SelfTestFailure("Qt could not load a part it needs: " + " | ".join(failures))
    platform = QApplication.platformName()
    report.facts["qt"] = platform
    return f"platform {platform}, window shown, image formats ok" + (", icon" if icon else "")


def _app_icon_path() -> Path | None:
    base = _frozen_root() or Path(__file__).resolve().parent.parent
    for name in ("liveview.svg", "liveview.png", "icons/liveview.svg", "icons/liveview.png"):
        path = base / "resources" / name
        if path.is_file():
            return path
    return None


def check_audio(report: Report) -> str:
    from liveview.audio.devices import list_audio_devices

    devices = list_audio_devices()
    failures = _qt_failures(report)
    if failures:
        raise SelfTestFailure("Qt Multimedia could not load: " + " | ".join(failures))
    if os.environ.get(REQUIRE_AUDIO_ENV) == "1" and devices.problem:
        raise SelfTestFailure(f"a sound server runs here, but: {devices.problem}")
    report.facts["audio"] = f"{len(devices.inputs)} in/{len(devices.outputs)} out"
    summary = f"{len(devices.inputs)} input(s), {len(devices.outputs)} output(s)"
    if devices.problem:
        summary += f" (warning: {devices.problem})"
    return summary


def check_echo(report: Report) -> str:
    from liveview.audio.echo import EchoCanceller
    from liveview.audio.formats import MIC_RATE_HZ, SAMPLE_BYTES

    canceller = EchoCanceller()
    frame = bytes(MIC_RATE_HZ // 100 * SAMPLE_BYTES)  # 10 ms of silence
    canceller.feed_reverse(bytes(len(frame) * 3 // 2))
    out = canceller.process(frame)
    if len(out) != len(frame):
        raise SelfTestFailure(f"echo cancellation returned {len(out)} bytes for {len(frame)}")
    report.facts["echo"] = "webrtc"
    return "WebRTC audio processing loaded"


# The OS keychain keyring must pick in a bundle on each OS: liveview.spec collects these backends
# (packaging/bundle_options.py); a bundle without them would keep no API key at all.
NATIVE_KEYRING_BACKENDS = {"win32": "keyring.backends.Windows", "darwin": "keyring.backends.macOS"}


def check_keyring(report: Report) -> str:
    expected = NATIVE_KEYRING_BACKENDS.get(sys.platform)
    if expected is None:
        # Linux: the Secret Service needs a desktop session (D-Bus, an unlocked keyring) that a
        # build machine lacks; asking for it there can block on D-Bus activation.
        return "not checked on this OS (Secret Service needs a desktop session)"
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if not type(backend).__module__.startswith(expected):
        raise SelfTestFailure(f"keyring chose {name}, not {expected}: the API key cannot be kept")
    report.facts["keyring"] = type(backend).__module__.rsplit(".", 1)[-1]
    return name


def check_frames(report: Report) -> str:
    from liveview.capture.synthetic import SyntheticSource
    from liveview.encode.jpeg import EncodeSettings, decode_jpeg, encode_with

    with SyntheticSource(*TEST_PATTERN_SIZE, fps=30) as source:
        frame = source.read()
    encoded = encode_with(frame.image, EncodeSettings(max_side=TEST_PATTERN_SIZE[0]))
    decoded = decode_jpeg(encoded.data)
    if decoded.shape[:2] != (encoded.height, encoded.width):
        raise SelfTestFailure(f"JPEG round trip changed the size: {decoded.shape}")
    report.facts["jpeg"] = encoded.data.hex()  # reused by the session step
    summary = f"test pattern {frame.width}x{frame.height} -> JPEG {len(encoded.data)} bytes"
    return summary + "; " + _check_screen(report)


def rendered_line(seed: int | None = None) -> tuple[str, bytes]:
    """A line of random words drawn with a real font (Qt), as a JPEG: (text, jpeg)."""
    import random

    from liveview.bench.pages import SANS, WORDS, Canvas
    from liveview.encode.jpeg import encode_jpeg

    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(4)) + f" {rng.randint(100, 999)}"
    canvas = Canvas("#ffffff", OCR_LINE_SIZE)
    canvas.text(16, 28, text, 28, "#000000", SANS)
    return text, encode_jpeg(canvas.finish(), OCR_LINE_SIZE[0], 85).data


def check_ocr(report: Report) -> str:
    """Text recognition in this installation: models found, onnxruntime loads, a line is read."""
    from liveview.server.ocr_engine import OcrEngine, OcrUnavailable
    from liveview.server.reading import read_now

    text, jpeg = rendered_line()
    engine = OcrEngine(nice=False)
    try:
        reading = read_now(engine, jpeg)
    except OcrUnavailable as exc:
        raise SelfTestFailure(f"text recognition cannot run: {exc}") from exc
    read = " ".join(line.text for line in reading.lines)
    if read != text:
        raise SelfTestFailure(f"text recognition read {read!r} where {text!r} was drawn")
    report.facts["ocr"] = f"{reading.seconds:.1f} s"
    return f"read {text!r} exactly (models loaded in {engine.load_s or 0:.1f} s)"


def _display_expected() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY"))
    return os.environ.get("QT_QPA_PLATFORM") != "offscreen"


def _check_screen(report: Report) -> str:
    if not _display_expected():
        return "screen: skipped (no display)"
    from liveview.capture.screen import ScreenSource

    with ScreenSource() as screen:
        shot = screen.read()
    if shot.width < 1 or shot.height < 1:
        raise SelfTestFailure("the screen grab came back empty")
    report.facts["screen"] = f"{shot.width}x{shot.height}"
    return f"screen {shot.width}x{shot.height} grabbed"


class _SessionProbe:
    """Listens to the session: sends the frame and the question once live, gathers the reply."""

    def __init__(self, runtime: Any, jpeg: bytes) -> None:
        self.runtime = runtime
        self.jpeg = jpeg
        self.reply: list[str] = []
        self.failure: str | None = None
        self.asked = False
        self.done = asyncio.Event()

    def __call__(self, event: object) -> None:
        from liveview.core import events as core
        from liveview.protocol import events as ev

        controller = self.runtime.controller
        if isinstance(event, core.StateChanged) and event.state is core.ConnectionState.LIVE:
            if not self.asked and controller is not None:
                self.asked = True
                controller.submit_video_frame(self.jpeg)
                controller.send_text(SELF_TEST_QUESTION)
        elif isinstance(event, ev.ModelText | ev.OutputTranscription):
            if not (isinstance(event, ev.ModelText) and event.thought):
                self.reply.append(event.text)
        elif isinstance(event, ev.TurnComplete) and self.asked:
            self.done.set()
        elif isinstance(event, core.SessionFailed):
            self.failure = event.error.user_message
            self.done.set()


async def _hold_session(jpeg: bytes) -> str:
    from liveview.core.backend import LocalServerKeeper
    from liveview.core.bus import EventBus
    from liveview.core.policy import ReconnectPolicy
    from liveview.core.runtime import SessionPlan, SessionRuntime
    from liveview.core.settings import Backend, SessionSettings
    from liveview.core.video_host import VideoHost
    from liveview.protocol.catalogue import LOCAL_MODEL

    settings = SessionSettings(
        backend=Backend.LOCAL, model=LOCAL_MODEL, audio_replies=False, video_enabled=True
    )
    bus, keeper = EventBus(), LocalServerKeeper()
    runtime = SessionRuntime(
        SessionPlan(settings),
        bus=bus,
        video=VideoHost(),
        local_server=keeper,
        policy=ReconnectPolicy(retry_first_connect=False),
    )
    probe = _SessionProbe(runtime, jpeg)
    bus.subscribe(probe)
    try:
        async with asyncio.TaskGroup() as tg:
            session = tg.create_task(runtime.run(), name="self-test-session")
            waiter = tg.create_task(probe.done.wait(), name="self-test-reply")
            try:
                async with asyncio.timeout(SESSION_TIMEOUT_S):
                    await asyncio.wait({session, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                runtime.stop()
                waiter.cancel()
    finally:
        await keeper.aclose()
    if probe.failure:
        raise SelfTestFailure(f"the local session failed: {probe.failure}")
    text = "".join(probe.reply).strip()
    if not probe.done.is_set() or not text:
        raise SelfTestFailure("the local server's session ended without a text reply")
    return text


def check_session(report: Report) -> str:
    jpeg = bytes.fromhex(report.facts.pop("jpeg"))
    try:
        text = asyncio.run(_hold_session(jpeg))
    except TimeoutError:
        raise SelfTestFailure(
            f"no reply from the local server within {SESSION_TIMEOUT_S:.0f} s"
        ) from None
    short = " ".join(text.split())
    short = short if len(short) <= 60 else short[:57] + "..."
    report.facts["reply"] = short
    return f"local server replied: {short!r}"


def check_log(report: Report) -> str:
    from liveview import logsetup

    path = logsetup.install("liveview")
    report.facts["log"] = str(path)
    return f"writing to {path}"


def _window_args(args: argparse.Namespace | None) -> argparse.Namespace:
    if args is None:
        from liveview.cli.options import add_session_options

        parser = argparse.ArgumentParser()
        add_session_options(parser)
        args = parser.parse_args([])
    # The window must talk to its own local server, whatever the user's settings say.
    return argparse.Namespace(**{**vars(args), "self_test": True, "backend": "local", "url": None})


def check_window(report: Report, args: argparse.Namespace | None = None) -> str:
    from liveview.ui.app import SETTINGS_FILE_ENV, run_app

    with tempfile.TemporaryDirectory(prefix="liveview-self-test-") as folder:
        # A throwaway settings file: the self-test neither reads nor changes the user's.
        previous = os.environ.get(SETTINGS_FILE_ENV)
        os.environ[SETTINGS_FILE_ENV] = str(Path(folder) / "settings.ini")
        try:
            code = run_app(_window_args(args))
        finally:
            if previous is None:
                os.environ.pop(SETTINGS_FILE_ENV, None)
            else:
                os.environ[SETTINGS_FILE_ENV] = previous
    if code != 0:
        raise SelfTestFailure(f"the main window's self-test exited with code {code}")
    failures = _qt_failures(report)
    if failures:
        raise SelfTestFailure("Qt could not load a part it needs: " + " | ".join(failures))
    return "main window shown and answered through its local server"


STEPS: tuple[tuple[str, Callable[..., str]], ...] = (
    ("log", check_log),
    ("imports", check_imports),
    ("qt", check_qt),
    ("audio", check_audio),
    ("echo", check_echo),
    ("keyring", check_keyring),
    ("frames", check_frames),
    ("ocr", check_ocr),
    ("session", check_session),
    ("window", check_window),
)


Steps = tuple[tuple[str, Callable[[Report], str]], ...]


def run(steps: Steps = STEPS) -> Report:
    """Run the steps in order; raises SelfTestFailure naming the first step that failed."""
    report = Report()
    _install_qt_message_handler(report)
    for name, step in steps:
        started = time.monotonic()
        try:
            summary = step(report)
        except SelfTestFailure as exc:
            raise SelfTestFailure(f"{name}: {exc}") from exc
        except Exception as exc:  # anything else is a bug or a broken bundle: show it whole
            traceback.print_exc()
            raise SelfTestFailure(f"{name}: {type(exc).__name__}: {exc}") from exc
        _say(f"  ok  {name:<8} {summary} ({time.monotonic() - started:.2f} s)")
    return report


def main(args: argparse.Namespace | None = None) -> int:
    """`args`: the window's parsed options (liveview --self-test ...), or None for defaults."""
    started = time.monotonic()
    # The pipewire probe's "couldn't load" is noise on PulseAudio systems, not a broken install.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    info = build_info()
    where = f"frozen, commit {info.get('commit', '?')}" if info["frozen"] else "from source"
    _say(f"liveview {info['version']} self-test ({where}, Python {sys.version.split()[0]}, "
         f"{sys.platform})")  # fmt: skip
    steps = tuple(
        (name, functools.partial(check_window, args=args) if step is check_window else step)
        for name, step in STEPS
    )
    try:
        report = run(steps)
    except SelfTestFailure as exc:
        _say(f"{FAILED_PREFIX}: {exc}")
        return 1
    facts = ", ".join(f"{k} {v}" for k, v in report.facts.items() if k not in ("reply", "log"))
    _say(f"{READY_PREFIX} (version {info['version']}, {facts}, "
         f"{time.monotonic() - started:.1f} s)")  # fmt: skip
    return 0
