"""Auto-pause: the video stops while a window the user would not want sent (a password manager)
is visible on the shared source, and the LIVE badge says why ("paused: KeePassXC").

Policy is data (PauseRule, DEFAULT_RULES); the decision is a pure function (blocking_window,
pause_reason); AutoPauseWatcher keeps the window list fresh on its own thread and answers
reason_for(region) from it. capture.gate.AutoPauseGate turns that into a FrameFilter that
FrameProducer runs on every grab: the decision is made per frame against the frame's own screen
region, so a moving window source or a region is judged where it is now.

Timing: the list is at most POLL_INTERVAL_S old and the producer grabs every 0.1 s, so a
password manager that appears stops the video within ~0.3 s, inside the 1 s frame interval;
the frame already waiting is withdrawn at the same moment (FrameProducer clears its slot).

If the window list cannot be read (no window manager, Wayland), auto-pause cannot see anything:
frames pass, and `problem` says why so the UI can show it once (masks still apply).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from liveview.desktop.geometry import Region
from liveview.desktop.window_platform import open_lister
from liveview.desktop.windows import WindowInfo, WindowLister
from liveview.errors import CaptureError

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.2  # window list refresh; an X11 listing costs ~0.4 ms a window (pipelined)


@dataclass(frozen=True)
class PauseReason:
    """Why the video is paused: `badge` for the LIVE badge, `notice` as a sentence."""

    badge: str
    notice: str


@dataclass(frozen=True)
class PauseRule:
    """Pause while a window matches: its title contains one of `titles`, or its application
    (WM_CLASS class or process name) equals one of `apps`; both case-insensitive.
    `label` is what the badge says."""

    label: str
    titles: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()

    def matches(self, window: WindowInfo) -> bool:
        title = window.title.casefold()
        if any(t.casefold() in title for t in self.titles if t.strip()):
            return True
        names = {n.casefold() for n in (window.app, window.process) if n}
        return any(a.casefold() in names for a in self.apps if a.strip())


def rule_from_text(text: str) -> PauseRule:
    """A user's entry in Settings: matched as part of a title or as an application name."""
    entry = text.strip()
    return PauseRule(entry, titles=(entry,), apps=(entry,))


# Password managers, by window title and by application (WM_CLASS / process name). Titles match
# as substrings, so a browser tab of a web vault ("... - Bitwarden Web vault") pauses too.
DEFAULT_RULES: tuple[PauseRule, ...] = (
    PauseRule("KeePassXC", titles=("KeePassXC",), apps=("keepassxc", "org.keepassxc.KeePassXC")),
    PauseRule("KeePass", titles=("KeePass",), apps=("keepass", "keepass2", "KeePass.exe")),
    PauseRule("1Password", titles=("1Password",), apps=("1password", "1Password.exe")),
    PauseRule("Bitwarden", titles=("Bitwarden",), apps=("bitwarden", "Bitwarden.exe")),
    PauseRule("LastPass", titles=("LastPass",), apps=("lastpass",)),
    PauseRule("Enpass", titles=("Enpass",), apps=("enpass", "Enpass.exe")),
    PauseRule(
        "Passwords and Keys",
        titles=("Passwords and Keys", "Seahorse"),
        apps=("seahorse", "org.gnome.seahorse.Application"),
    ),
    PauseRule("Dashlane", titles=("Dashlane",), apps=("dashlane", "Dashlane.exe")),
    PauseRule("Proton Pass", titles=("Proton Pass",), apps=("proton-pass", "Proton Pass")),
    PauseRule("KWalletManager", titles=("KWalletManager",), apps=("kwalletmanager5",)),
    PauseRule("Keychain Access", titles=("Keychain Access",), apps=("Keychain Access",)),
    PauseRule("NordPass", titles=("NordPass",), apps=("nordpass", "NordPass.exe")),
    PauseRule("RoboForm", titles=("RoboForm",), apps=("roboform", "RoboForm.exe")),
    PauseRule("Keeper", titles=("Keeper Password",), apps=("keeperpasswordmanager",)),
)


def blocking_window(
    windows: Iterable[WindowInfo], shared: Region, rules: Sequence[PauseRule]
) -> tuple[PauseRule, WindowInfo] | None:
    """The rule and window that must pause the video: a visible (mapped, not minimised) window
    matching a rule whose frame overlaps the shared rectangle. The window nearest the top of
    the stack is named. None: nothing to hide."""
    for window in sorted(windows, key=lambda w: w.stacking, reverse=True):
        if not window.visible or window.minimised:
            continue
        if not window.frame.intersects(shared):
            continue
        for rule in rules:
            if rule.matches(window):
                return rule, window
    return None


def pause_reason(
    windows: Iterable[WindowInfo], shared: Region | None, rules: Sequence[PauseRule]
) -> PauseReason | None:
    """Why a picture of `shared` must not be sent (None for a camera or when nothing
    matches)."""
    if shared is None:
        return None
    found = blocking_window(windows, shared, rules)
    if found is None:
        return None
    rule, window = found
    return PauseReason(
        badge=f"paused: {rule.label}",
        notice=f"Video paused: {rule.label} is on the shared screen ({window.title!r}). It "
        "resumes when that window is closed, minimised or moved away.",
    )


WAITING_FOR_FIRST_LIST = PauseReason(
    badge="paused: checking windows",
    notice="Video waits for the first look at the open windows (auto-pause).",
)


class AutoPauseWatcher:
    """Keeps the window list fresh on a thread and says, for a screen rectangle, whether video
    of it must pause (reason_for: cheap, pure, any thread).

    start()/stop() from any thread (start() blocks for the first listing, a few ms: call it
    from a thread or before the event loop runs). Rules may be replaced at any time.
    """

    def __init__(
        self,
        rules: Sequence[PauseRule] = DEFAULT_RULES,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        lister_factory: Callable[[], WindowLister] = open_lister,
        enabled: bool = True,
    ) -> None:
        self._rules = tuple(rules)
        self._poll_interval_s = poll_interval_s
        self._lister_factory = lister_factory
        self.enabled = enabled
        self._windows: tuple[WindowInfo, ...] | None = None  # None: never listed yet
        self._problem: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def rules(self) -> tuple[PauseRule, ...]:
        return self._rules

    def set_rules(self, rules: Sequence[PauseRule]) -> None:
        self._rules = tuple(rules)  # one reference swap: the capture thread sees old or new

    @property
    def problem(self) -> str | None:
        """Why auto-pause cannot see the windows (no window manager, ...), or None."""
        return self._problem

    @property
    def windows(self) -> tuple[WindowInfo, ...]:
        return self._windows or ()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        lister = self._open()
        if lister is not None:
            self._refresh(lister)
        self._thread = threading.Thread(
            target=self._run, args=(lister,), name="auto-pause: window list", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)

    @property
    def poll_interval_s(self) -> float:
        return self._poll_interval_s

    def reason_for(self, shared: Region | None) -> PauseReason | None:
        """Why video of `shared` must pause now, judged on the newest window list."""
        if not self.enabled or shared is None:
            return None
        windows = self._windows
        if windows is None:
            # Cannot see windows here (said once through `problem`): let frames pass.
            return None if self._problem is not None else WAITING_FOR_FIRST_LIST
        return pause_reason(windows, shared, self._rules)

    # --- the thread --------------------------------------------------------------------------

    def _open(self) -> WindowLister | None:
        try:
            lister = self._lister_factory()
        except CaptureError as exc:
            self._fail(exc)
            return None
        return lister

    def _refresh(self, lister: WindowLister) -> bool:
        try:
            self._windows = tuple(lister.snapshot())
        except CaptureError as exc:
            self._fail(exc)
            return False
        if self._problem is not None:
            log.info("auto-pause sees the windows again")
        self._problem = None
        return True

    def _fail(self, exc: CaptureError) -> None:
        if self._problem is None:
            log.warning("auto-pause cannot list windows: %s", exc)
        self._problem = f"Auto-pause is off: {exc}"
        self._windows = None

    def _run(self, lister: WindowLister | None) -> None:
        try:
            while not self._stop.wait(self._poll_interval_s):
                if lister is None:
                    lister = self._open()  # a window manager may start later
                    if lister is None:
                        continue
                if not self._refresh(lister):
                    lister.close()
                    lister = None
        except Exception:  # a thread boundary: log, and stop watching rather than die silently
            log.exception("auto-pause watcher crashed")
            self._problem = "Auto-pause stopped after an internal error (see the log)."
            self._windows = None
        finally:
            if lister is not None:
                lister.close()
