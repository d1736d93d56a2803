"""`liveview doctor`: check this machine for everything liveview needs, and say how to fix it.

Checks: the display, the system libraries Qt loads (Linux), screen capture (and the macOS Screen
Recording permission), cameras, the microphone and speaker, the API key (where it comes from,
never the key itself; whether the service accepts it) and whether the endpoint can be reached.

The GUI shows the same list on first run: it calls `run_checks()` on a worker thread and renders
the `CheckResult`s (title, status, detail, fix). Exit code of the command: 0 when nothing needed
is missing (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import shutil
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

NETWORK_TIMEOUT_S = 5.0
GEMINI_API_BASE = "https://generativelanguage.googleapis.com"
MODELS_PATH = "/v1beta/models?pageSize=1000"
KEY_PAGE = "https://aistudio.google.com/apikey"
EXIT_ALL_GOOD = 0
EXIT_SOMETHING_MISSING = 1

# soname -> Debian/Ubuntu package: what Qt's xcb platform plugin, screen capture and sound load
# at run time. A missing libxcb-cursor0 is the classic "could not load the Qt platform plugin".
LINUX_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libpulse.so.0", "libpulse0"),
)


class Status(Enum):
    OK = "ok"
    WARN = "warn"  # works, but something is missing or unknown (e.g. no camera, offline)
    FAIL = "fail"  # liveview cannot do its job until this is fixed
    SKIP = "skip"  # not checked (not applicable, or depends on a failed check)


@dataclass(frozen=True)
class CheckResult:
    key: str  # stable id: display, libraries, screen, cameras, microphone, speaker, api_key, ...
    title: str  # what the user sees in the list
    status: Status
    detail: str  # what was found; never contains a key
    fix: str = ""  # what to do on this OS; "" when nothing is needed

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


@dataclass(frozen=True)
class DoctorOptions:
    network: bool = True  # False: no key or endpoint check leaves the machine
    timeout_s: float = NETWORK_TIMEOUT_S
    api_base: str = GEMINI_API_BASE  # tests point this at a loopback server
    model: str | None = None  # the model to look for in models.list (default: the app's)


def _platform() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    return (
        "macos" if sys.platform == "darwin" else "windows" if sys.platform == "win32" else "other"
    )


def install_hint(packages: Sequence[str]) -> str:
    """The command that installs Debian package names on this system (apt, else named)."""
    if shutil.which("apt-get"):
        return "sudo apt-get install -y " + " ".join(packages)
    return "install your distribution's packages for: " + ", ".join(packages)


# --- the checks: each returns one CheckResult and never raises ---------------------------------


def check_display() -> CheckResult:
    title = "Display"
    if _platform() != "linux":
        return CheckResult("display", title, Status.OK, "desktop session")
    x11, wayland = os.environ.get("DISPLAY"), os.environ.get("WAYLAND_DISPLAY")
    if x11:
        kind = "XWayland" if wayland else "X11"
        return CheckResult("display", title, Status.OK, f"DISPLAY={x11} ({kind})")
    if wayland:
        return CheckResult(
            "display", title, Status.FAIL, f"Wayland only (WAYLAND_DISPLAY={wayland}, no DISPLAY)",
            "Screen capture needs X11: enable XWayland (on by default in GNOME and KDE) or log in "
            "to an \"on Xorg\" session.",
        )  # fmt: skip
    return CheckResult(
        "display", title, Status.FAIL, "no display: DISPLAY is not set",
        "Run liveview inside a desktop session (or `liveview headless` on a server).",
    )  # fmt: skip


def _library_present(soname: str) -> bool:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / soname).exists():
        return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def check_libraries() -> CheckResult:
    title = "System libraries"
    if _platform() != "linux":
        return CheckResult("libraries", title, Status.SKIP, "only checked on Linux")
    missing = [package for soname, package in LINUX_LIBRARIES if not _library_present(soname)]
    if not missing:
        return CheckResult("libraries", title, Status.OK, f"all {len(LINUX_LIBRARIES)} present")
    return CheckResult(
        "libraries", title, Status.FAIL, "missing: " + ", ".join(missing), install_hint(missing)
    )


def _macos_screen_permission() -> bool | None:
    """CGPreflightScreenCaptureAccess (macOS 10.15+): True/False, None when unknown."""
    try:
        graphics = ctypes.cdll.LoadLibrary(
            "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
        )
        preflight = graphics.CGPreflightScreenCaptureAccess
    except (OSError, AttributeError):
        return None
    preflight.restype = ctypes.c_bool
    return bool(preflight())


def check_screen(display: CheckResult) -> CheckResult:
    title = "Screen capture"
    if display.status is Status.FAIL:
        return CheckResult("screen", title, Status.SKIP, "no display")
    if _platform() == "macos" and _macos_screen_permission() is False:
        return CheckResult(
            "screen", title, Status.FAIL, "Screen Recording permission not granted",
            "System Settings > Privacy & Security > Screen & System Audio Recording: turn "
            "liveview on, then quit and reopen liveview.",
        )  # fmt: skip
    try:
        from liveview.capture.screen import ScreenSource, list_monitors

        monitors = list_monitors()
        with ScreenSource() as source:
            frame = source.read()
    except Exception as exc:  # CaptureError, or a broken mss/X connection
        return CheckResult(
            "screen", title, Status.FAIL, f"grab failed: {exc}",
            "Check that the X server accepts connections from this user (xhost, XAUTHORITY).",
        )  # fmt: skip
    return CheckResult(
        "screen", title, Status.OK,
        f"{len(monitors)} monitor(s); grabbed {frame.width}x{frame.height}",
    )  # fmt: skip


CAMERA_FIX = {
    "linux": "Connect a webcam; check /dev/video* exists and that you are in the 'video' group "
    "(sudo usermod -aG video $USER, then log in again). Screen sharing works without one.",
    "macos": "System Settings > Privacy & Security > Camera: allow liveview. "
    "Screen sharing works without a camera.",
    "windows": "Settings > Privacy & security > Camera: let desktop apps use the camera. "
    "Screen sharing works without a camera.",
}


def check_cameras() -> CheckResult:
    title = "Cameras"
    try:
        from liveview.capture.camera import list_cameras

        cameras = list_cameras()
    except Exception as exc:
        return CheckResult("cameras", title, Status.WARN, f"could not list cameras: {exc}")
    if not cameras:
        fix = CAMERA_FIX.get(_platform(), "Connect a camera.")
        return CheckResult("cameras", title, Status.WARN, "no camera found (optional)", fix)
    names = ", ".join(c.describe() for c in cameras)
    return CheckResult("cameras", title, Status.OK, names)


SOUND_FIX = {
    "linux": "Start the sound server (PulseAudio or PipeWire): "
    + "systemctl --user start pipewire-pulse (or pulseaudio --start); if it is not installed: "
    + "sudo apt-get install -y pipewire-pulse",
    "macos": "Connect a microphone, and allow liveview in System Settings > Privacy & Security "
    "> Microphone.",
    "windows": "Connect a microphone, and let desktop apps use it in Settings > Privacy & "
    "security > Microphone.",
}


def check_audio() -> list[CheckResult]:
    try:
        from liveview.audio.devices import list_audio_devices

        devices = list_audio_devices()
    except Exception as exc:  # Qt Multimedia missing or broken
        detail = f"Qt Multimedia could not list devices: {exc}"
        fix = "Reinstall liveview (its audio libraries are missing)."
        return [
            CheckResult("microphone", "Microphone", Status.FAIL, detail, fix),
            CheckResult("speaker", "Speaker", Status.FAIL, detail, fix),
        ]
    fix = SOUND_FIX.get(_platform(), "Connect a microphone.")
    if devices.text_only:
        detail = "no sound server or audio device found"
        return [
            CheckResult("microphone", "Microphone", Status.FAIL, detail, fix),
            CheckResult("speaker", "Speaker", Status.FAIL, detail, fix),
        ]
    if devices.inputs:
        mic_text = _device_text(devices.inputs, devices.default_input)
        mic = CheckResult("microphone", "Microphone", Status.OK, mic_text)
    else:
        mic = CheckResult("microphone", "Microphone", Status.FAIL, "no microphone found", fix)
    if devices.outputs:
        out_text = _device_text(devices.outputs, devices.default_output)
        speaker = CheckResult("speaker", "Speaker", Status.OK, out_text)
    else:
        speaker = CheckResult(
            "speaker", "Speaker", Status.WARN, "no speaker found: replies appear as text only",
            "Connect speakers or headphones.",
        )  # fmt: skip
    return [mic, speaker]


def _device_text(names: list[str], default: str | None) -> str:
    shown = ", ".join(names[:4]) + (f" (+{len(names) - 4} more)" if len(names) > 4 else "")
    return f"{len(names)} found; default {default or names[0]!r}: {shown}"


# --- the key and the network ---------------------------------------------------------------------


def _key_origin() -> tuple[str | None, str]:
    """(key, where it comes from, in words the user recognises). The key itself is never shown."""
    from liveview.core.secrets import configured_api_key
    from liveview.core.settings import API_KEY_ENV_VARS

    key, where = configured_api_key()
    if where == "environment":
        names = [n for n in API_KEY_ENV_VARS if os.environ.get(n, "").strip()]
        where = f"environment variable {names[0]}" if names else "environment"
    elif where == "keychain":
        where = "the OS keychain"
    return key, where


def check_api_key(key: str | None, where: str) -> CheckResult:
    title = "API key"
    if key:
        return CheckResult("api_key", title, Status.OK, f"set, from {where}")
    return CheckResult(
        "api_key", title, Status.WARN,
        "no key: liveview uses its built-in local server (offline)",
        f"For the Gemini API, create a key at {KEY_PAGE} and enter it in Settings > API key, "
        "or set GEMINI_API_KEY.",
    )  # fmt: skip


def _http_get(url: str, headers: dict[str, str], timeout_s: float) -> tuple[int, bytes]:
    """(status, body) of a GET; HTTP errors are answers too. Raises OSError when unreachable."""
    request = urllib.request.Request(url, headers={"User-Agent": "liveview-doctor", **headers})
    # The default context: system CAs, or the bundle the frozen app carries (SSL_CERT_FILE).
    context = ssl.create_default_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout_s, context=context) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def _unreachable_reason(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason


def check_endpoint(options: DoctorOptions, key_present: bool) -> CheckResult:
    title = "Gemini endpoint"
    host = options.api_base.split("://", 1)[-1].rstrip("/")
    started = time.monotonic()
    try:
        _http_get(options.api_base.rstrip("/") + "/", {}, options.timeout_s)
    except ssl.SSLCertVerificationError as exc:
        return CheckResult(
            "endpoint", title, Status.FAIL, f"{host}: the certificate did not verify ({exc})",
            "A proxy or antivirus may be intercepting TLS: point SSL_CERT_FILE at its CA "
            "bundle, or ask your administrator.",
        )  # fmt: skip
    except (OSError, ValueError) as exc:
        unreachable = Status.FAIL if key_present else Status.WARN
        return CheckResult(
            "endpoint", title, unreachable,
            f"could not reach {host} within {options.timeout_s:g} s ({_unreachable_reason(exc)})",
            "Check the network connection, firewall or proxy (HTTPS_PROXY). Without a network "
            "liveview can still use its built-in local server.",
        )  # fmt: skip
    elapsed_ms = (time.monotonic() - started) * 1000
    return CheckResult("endpoint", title, Status.OK, f"{host} reached in {elapsed_ms:.0f} ms")


def _service_message(body: bytes) -> str:
    try:
        error = json.loads(body).get("error", {})
        return str(error.get("message") or error.get("status") or "").strip()
    except (ValueError, AttributeError):
        return ""


def check_key_accepted(options: DoctorOptions, key: str, endpoint: CheckResult) -> CheckResult:
    title = "API key accepted"
    if endpoint.status is not Status.OK:
        return CheckResult(
            "key_accepted", title, Status.WARN, "unknown: could not reach the service"
        )
    if key.startswith("auth_tokens/"):
        return CheckResult("key_accepted", title, Status.SKIP, "an ephemeral token: not checked")
    try:
        status, body = _http_get(
            options.api_base.rstrip("/") + MODELS_PATH, {"x-goog-api-key": key}, options.timeout_s
        )
    except (OSError, ValueError) as exc:
        reason = _unreachable_reason(exc).replace(key, "<redacted>")
        return CheckResult("key_accepted", title, Status.WARN, f"could not reach: {reason}")
    message = _service_message(body).replace(key, "<redacted>")
    if status == 200:
        return _check_model(options, body)
    if status in (400, 401, 403):
        return CheckResult(
            "key_accepted", title, Status.FAIL, f"rejected (HTTP {status}): {message}",
            f"Create a new key at {KEY_PAGE} and enter it in Settings > API key "
            "(or GEMINI_API_KEY).",
        )  # fmt: skip
    if status == 429:
        return CheckResult(
            "key_accepted", title, Status.WARN, f"accepted, but over quota: {message}",
            "Wait for the quota to reset, or raise it in Google AI Studio.",
        )  # fmt: skip
    return CheckResult("key_accepted", title, Status.WARN, f"unexpected HTTP {status}: {message}")


def _check_model(options: DoctorOptions, body: bytes) -> CheckResult:
    from liveview.core.model_list import live_ids
    from liveview.core.settings import DEFAULT_MODEL

    title = "API key accepted"
    try:
        live = sorted(live_ids(json.loads(body)))
    except (ValueError, AttributeError, KeyError, TypeError):
        return CheckResult("key_accepted", title, Status.OK, "accepted (model list unreadable)")
    wanted = (options.model or DEFAULT_MODEL).removeprefix("models/")
    if wanted in live:
        return CheckResult("key_accepted", title, Status.OK, f"accepted; model {wanted} is live")
    offered = ", ".join(live[:6]) or "none"
    return CheckResult(
        "key_accepted", title, Status.WARN,
        f"accepted, but model {wanted} is not offered for Live (offered: {offered})",
        "Choose one of the offered models in Settings > Model (or --model).",
    )  # fmt: skip


# --- running and reporting -----------------------------------------------------------------------


def run_checks(
    options: DoctorOptions | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run every check in order (blocking: several seconds offline; call it off the GUI thread).

    `on_result` is called with each result as soon as it is known (progress in the GUI).
    """
    options = options or DoctorOptions()
    results: list[CheckResult] = []

    def add(result: CheckResult) -> CheckResult:
        results.append(result)
        if on_result is not None:
            on_result(result)
        return result

    display = add(check_display())
    add(check_libraries())
    add(check_screen(display))
    add(check_cameras())
    for result in check_audio():
        add(result)
    key, where = _key_origin()
    add(check_api_key(key, where))
    if not options.network:
        add(CheckResult("endpoint", "Gemini endpoint", Status.SKIP, "not checked (--offline)"))
        return results
    endpoint = add(check_endpoint(options, key_present=bool(key)))
    if key:
        add(check_key_accepted(options, key, endpoint))
    return results


def needs_attention(results: Sequence[CheckResult]) -> list[CheckResult]:
    """What the first-run screen should show: failures first, then warnings."""
    order = {Status.FAIL: 0, Status.WARN: 1}
    flagged = [r for r in results if r.status in order]
    return sorted(flagged, key=lambda r: order[r.status])


def exit_code(results: Sequence[CheckResult]) -> int:
    failed = any(r.status is Status.FAIL for r in results)
    return EXIT_SOMETHING_MISSING if failed else EXIT_ALL_GOOD


MARKS = {Status.OK: "ok", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "skip"}


def format_result(result: CheckResult) -> str:
    line = f"[{MARKS[result.status]:>4}] {result.title}: {result.detail}"
    if result.fix:
        line += f"\n       fix: {result.fix}"
    return line


def summary_line(results: Sequence[CheckResult]) -> str:
    failed = [r.title for r in results if r.status is Status.FAIL]
    warned = [r.title for r in results if r.status is Status.WARN]
    if failed:
        return f"liveview doctor: {len(failed)} problem(s) to fix: {', '.join(failed)}"
    if warned:
        return f"liveview doctor: ready ({len(warned)} warning(s): {', '.join(warned)})"
    return "liveview doctor: everything liveview needs is here"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="liveview doctor",
        description="Check the display, screen capture, cameras, audio devices, the API key and "
        "the network; print what is missing and how to fix it. Exit 0 when ready, 1 otherwise.",
    )
    parser.add_argument("--offline", action="store_true", help="skip the network checks")
    parser.add_argument(
        "--timeout", type=float, default=NETWORK_TIMEOUT_S, metavar="S",
        help=f"network timeout in seconds (default {NETWORK_TIMEOUT_S:g})",
    )  # fmt: skip
    parser.add_argument("--model", help="the model to look for (default: the app's default)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(list(argv))
    options = DoctorOptions(network=not args.offline, timeout_s=args.timeout, model=args.model)
    if args.json:
        results = run_checks(options)
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        results = run_checks(options, on_result=lambda r: print(format_result(r), flush=True))
        print(summary_line(results))
        from liveview.logsetup import log_path

        print(f"log file: {log_path() or 'not set up'}")
    return exit_code(results)
