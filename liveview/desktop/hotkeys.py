"""Global hotkeys: keys that work while another application has the focus.

One small interface (HotkeyBackend: register / unregister / close) with one file per platform:
- X11: XGrabKey through python-xlib (hotkeys_x11.py).
- Windows: RegisterHotKey through ctypes (hotkeys_windows.py).
- macOS: pynput's Quartz event tap, which needs the Accessibility permission (hotkeys_macos.py).
- Wayland: the XDG GlobalShortcuts portal over D-Bus, where the desktop offers it
  (hotkeys_portal.py); otherwise a result that says global hotkeys need it.

Why python-xlib and not pynput on X11: pynput's X11 listener watches every key through the
RECORD extension instead of grabbing. The focused application then still receives Ctrl+Alt+T,
nothing tells us when another client already owns the key (XGrabKey's BadAccess is exactly the
"taken" result the settings must show), and a process that records every keystroke is a
keylogger in all but intent. XGrabKey asks the server for just our keys, consumes them, and its
errors name the conflict. python-xlib is pure Python (the PyInstaller hook in
pyinstaller-hooks-contrib collects its dynamically imported modules) and speaks the protocol
itself, so no libX11/libxkbcommon binding is needed in the bundle. pynput is used on macOS,
where its Quartz event tap is the kept way in.

Every registration answers a GrabResult; nothing fails silently. Callbacks run on the backend's
own listener thread; GlobalHotkeys hands them to the event loop with call_soon_threadsafe, so
handlers run on the asyncio/Qt loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from liveview.errors import ConfigError

log = logging.getLogger(__name__)

Callback = Callable[[], None]


class Modifier(Enum):
    CTRL = "Ctrl"
    ALT = "Alt"
    SHIFT = "Shift"
    SUPER = "Super"  # the Windows key; Command on macOS


_MODIFIER_NAMES = {
    "ctrl": Modifier.CTRL,
    "control": Modifier.CTRL,
    "alt": Modifier.ALT,
    "option": Modifier.ALT,
    "shift": Modifier.SHIFT,
    "super": Modifier.SUPER,
    "meta": Modifier.SUPER,
    "win": Modifier.SUPER,
    "cmd": Modifier.SUPER,
    "command": Modifier.SUPER,
}
_MODIFIER_ORDER = (Modifier.CTRL, Modifier.ALT, Modifier.SHIFT, Modifier.SUPER)
# Keys a binding may name (canonical spelling). Letters and digits are added below.
NAMED_KEYS = (
    "Space",
    "Return",
    "Tab",
    "Escape",
    "BackSpace",
    "Insert",
    "Delete",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Left",
    "Right",
    "Up",
    "Down",
    "Print",
    "Pause",
    *(f"F{n}" for n in range(1, 25)),
)
_KEY_ALIASES = {"enter": "Return", "esc": "Escape", "backspace": "BackSpace", "del": "Delete"}
_KEYS = {k.casefold(): k for k in NAMED_KEYS} | {
    c.casefold(): c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
}


@dataclass(frozen=True)
class Binding:
    """A key with modifiers, e.g. parse_binding("Ctrl+Alt+Space")."""

    key: str
    modifiers: frozenset[Modifier]

    @property
    def text(self) -> str:
        mods = [m.value for m in _MODIFIER_ORDER if m in self.modifiers]
        return "+".join([*mods, self.key])

    def __str__(self) -> str:
        return self.text


def parse_binding(text: str) -> Binding:
    """Parse "Ctrl+Alt+T" (case-insensitive; Control/Option/Meta/Win/Cmd accepted).
    Raises ConfigError saying what is wrong."""
    parts = [p.strip() for p in text.split("+")]
    if not parts[-1]:
        raise ConfigError(f"Hotkey {text!r} names no key, e.g. Ctrl+Alt+T.")
    *mod_names, key_name = parts
    modifiers = set()
    for name in mod_names:
        modifier = _MODIFIER_NAMES.get(name.casefold())
        if modifier is None:
            raise ConfigError(
                f"Hotkey {text!r}: {name!r} is not a modifier (Ctrl, Alt, Shift, Super)."
            )
        modifiers.add(modifier)
    key = _KEYS.get(key_name.casefold()) or _KEY_ALIASES.get(key_name.casefold())
    if key is None:
        raise ConfigError(
            f"Hotkey {text!r}: {key_name!r} is not a key liveview can bind (letters, digits, "
            "F1-F24, Space, Return, Tab, Escape, arrows, Home/End, PageUp/PageDown, ...)."
        )
    if not modifiers and not key.startswith("F"):
        raise ConfigError(
            f"Hotkey {text!r} has no modifier: a global {key} would take that key away from "
            "every application. Add Ctrl, Alt, Shift or Super."
        )
    return Binding(key, frozenset(modifiers))


class GrabStatus(Enum):
    OK = "ok"
    TAKEN = "taken"  # another application holds it (X11 BadAccess, Windows error 1409)
    UNSUPPORTED = "unsupported"  # the key does not exist on this keyboard/platform
    NO_PORTAL = "no portal"  # Wayland without the GlobalShortcuts portal
    NO_PERMISSION = "no permission"  # macOS without the Accessibility permission
    UNAVAILABLE = "unavailable"  # no display, no backend for this platform
    DUPLICATE = "duplicate"  # liveview itself already uses this key for another action


@dataclass(frozen=True)
class GrabResult:
    binding: Binding
    status: GrabStatus
    message: str = ""  # what to show in Settings when not ok

    @property
    def ok(self) -> bool:
        return self.status is GrabStatus.OK


class HotkeyBackend(ABC):
    """Grabs keys for the whole desktop. Callbacks are called on the backend's own thread."""

    name = "hotkeys"

    @abstractmethod
    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        """Grab `binding`. Blocking but short (a round trip to the window system)."""

    @abstractmethod
    def unregister(self, binding: Binding) -> None:
        """Release `binding` (nothing happens if it was not registered)."""

    @abstractmethod
    def close(self) -> None:
        """Release every key and stop the listener; safe to call twice."""


class UnavailableBackend(HotkeyBackend):
    """No global hotkeys here: every registration answers why (never silently)."""

    name = "unavailable"

    def __init__(self, status: GrabStatus, message: str) -> None:
        self._status = status
        self._message = message

    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        return GrabResult(binding, self._status, self._message)

    def unregister(self, binding: Binding) -> None:
        return None

    def close(self) -> None:
        return None


class HotkeyAction(Enum):
    QUICK_ASK = "quick ask"
    TALK = "talk"
    SNAPSHOT = "snapshot"
    PAUSE_VIDEO = "pause video"
    SHOW_HIDE = "show/hide"


# What each action does, for F1 and Settings.
ACTION_DESCRIPTIONS: Mapping[HotkeyAction, str] = {
    HotkeyAction.QUICK_ASK: "Quick ask: open the overlay's prompt",
    HotkeyAction.TALK: "Talk: hold to push-to-talk, tap to turn the microphone on or off",
    HotkeyAction.SNAPSHOT: "Send a sharp snapshot of the current source now",
    HotkeyAction.PAUSE_VIDEO: "Pause or resume the video",
    HotkeyAction.SHOW_HIDE: "Show or hide liveview",
}
DEFAULT_HOTKEYS: Mapping[HotkeyAction, str] = {
    HotkeyAction.QUICK_ASK: "Ctrl+Alt+Space",
    HotkeyAction.TALK: "Ctrl+Alt+T",
    HotkeyAction.SNAPSHOT: "Ctrl+Alt+S",
    HotkeyAction.PAUSE_VIDEO: "Ctrl+Alt+P",
    HotkeyAction.SHOW_HIDE: "Ctrl+Alt+H",
}
# Actions that also want the key's release (TapHoldSwitch tells tap from hold).
RELEASE_ACTIONS = frozenset({HotkeyAction.TALK})


class GlobalHotkeys:
    """The hotkeys of one running app: a backend plus the event loop its callbacks run on.

    Create it on the loop thread (it remembers the running loop); register from a thread
    (asyncio.to_thread) or at startup, since a registration waits for the window system.
    Close it on quit: keys are released at once (another app may want them).
    """

    def __init__(self, backend: HotkeyBackend, loop: asyncio.AbstractEventLoop) -> None:
        self._backend = backend
        self._loop = loop
        self._registered: dict[Binding, HotkeyAction | None] = {}

    @property
    def backend_name(self) -> str:
        return self._backend.name

    def register(
        self,
        binding: Binding,
        on_press: Callback,
        on_release: Callback | None = None,
        *,
        action: HotkeyAction | None = None,
    ) -> GrabResult:
        owner = self._registered.get(binding, False)
        if owner is not False:
            what = owner.value if isinstance(owner, HotkeyAction) else "another action"
            return GrabResult(
                binding, GrabStatus.DUPLICATE, f"{binding} is already liveview's {what} key."
            )
        release = self._on_loop(on_release) if on_release is not None else None
        result = self._backend.register(binding, self._on_loop(on_press), release)
        if result.ok:
            self._registered[binding] = action
        else:
            log.warning("hotkey %s not available: %s", binding, result.message)
        return result

    def unregister(self, binding: Binding) -> None:
        if self._registered.pop(binding, False) is not False:
            self._backend.unregister(binding)

    def register_actions(
        self,
        bindings: Mapping[HotkeyAction, str],
        handlers: Mapping[HotkeyAction, tuple[Callback, Callback | None]],
    ) -> dict[HotkeyAction, GrabResult]:
        """Register each action's key (text as in Settings) with its (press, release)
        handlers. A key that does not parse gets an UNSUPPORTED result with the reason."""
        results = {}
        for action, text in bindings.items():
            if action not in handlers:
                continue
            try:
                binding = parse_binding(text)
            except ConfigError as exc:
                results[action] = GrabResult(
                    Binding(text, frozenset()), GrabStatus.UNSUPPORTED, exc.user_message
                )
                continue
            press, release = handlers[action]
            results[action] = self.register(binding, press, release, action=action)
        return results

    def close(self) -> None:
        self._registered.clear()
        self._backend.close()

    def _on_loop(self, callback: Callback) -> Callback:
        loop = self._loop

        def deliver() -> None:
            if loop.is_closed():
                return
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(callback)

        return deliver


# --- tap = toggle, hold = push-to-talk ----------------------------------------------------


class TalkEvent(Enum):
    START = "start"  # microphone on (push-to-talk: activityStart)
    STOP = "stop"  # microphone off (push-to-talk: activityEnd)


HOLD_THRESHOLD_S = 0.4  # held at least this long: push-to-talk; shorter: a tap that toggles


class TapHoldSwitch:
    """The talk key's state machine, pure, with an injected clock.

    - Press while off: START at once (talking must not wait for the tap/hold decision).
    - Release after >= threshold: it was push-to-talk: STOP.
    - Release sooner: it was a tap: stay on (latched).
    - Press while latched: STOP at once (a tap turns it off); that key's release does nothing.
    - Repeated presses while the key is down (autorepeat) are ignored.
    """

    def __init__(
        self, clock: Callable[[], float], *, hold_threshold_s: float = HOLD_THRESHOLD_S
    ) -> None:
        self._clock = clock
        self._threshold_s = hold_threshold_s
        self._down_at: float | None = None
        self._latched = False  # on after a tap
        self._talking = False
        self._ending = False  # the press that turned a latch off: ignore its release

    @property
    def talking(self) -> bool:
        return self._talking

    @property
    def latched(self) -> bool:
        return self._latched

    def press(self) -> list[TalkEvent]:
        if self._down_at is not None or self._ending:
            return []  # autorepeat, or a press while the ending press is still down
        if self._latched:
            self._latched = False
            self._talking = False
            self._ending = True
            return [TalkEvent.STOP]
        self._down_at = self._clock()
        self._talking = True
        return [TalkEvent.START]

    def release(self) -> list[TalkEvent]:
        if self._ending:
            self._ending = False
            return []
        if self._down_at is None:
            return []  # a release we never saw the press of
        held_s = self._clock() - self._down_at
        self._down_at = None
        if held_s >= self._threshold_s:
            self._talking = False
            return [TalkEvent.STOP]
        self._latched = True
        return []

    def latch(self) -> None:
        """Talking was turned on elsewhere (the window's mic button): the next press turns it
        off, as after a tap. Ignored while the key is down."""
        if self._down_at is None and not self._ending:
            self._latched = True
            self._talking = True

    def reset(self) -> list[TalkEvent]:
        """Force off (the session stopped, the mic was muted elsewhere)."""
        was_talking = self._talking
        self._down_at, self._latched, self._talking, self._ending = None, False, False, False
        return [TalkEvent.STOP] if was_talking else []
