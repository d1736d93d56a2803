"""Wayland global hotkeys through the XDG GlobalShortcuts portal (org.freedesktop.portal.
GlobalShortcuts), over D-Bus with jeepney (pure Python, already in the bundle for keyring's
Secret Service backend).

Wayland gives no client a way to grab keys; the desktop may offer the portal instead (KDE
Plasma 5.27+, GNOME 48+, Hyprland). Its flow:
  CreateSession -> a Request whose Response carries session_handle
  BindShortcuts(session, [(id, {description, preferred_trigger})]) -> Response with the
      shortcuts the desktop bound (the user may change or refuse the trigger in its dialog)
  signals Activated / Deactivated(session, id, timestamp, options): press and release.
One session per binding, so unregister is Session.Close and the others stay.

Tested here only where the portal is absent (a private dbus-daemon without it: the result says
so); the bound path needs a desktop that implements the portal, which this machine has not.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import secrets
import threading
from collections.abc import Callable
from typing import Any

from jeepney import DBusAddress, DBusErrorResponse, MatchRule, Message, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusRouter, open_dbus_connection
from jeepney.low_level import HeaderFields

from liveview.desktop.hotkeys import (
    Binding,
    Callback,
    GrabResult,
    GrabStatus,
    HotkeyBackend,
    Modifier,
    UnavailableBackend,
)

log = logging.getLogger(__name__)

PORTAL = DBusAddress(
    "/org/freedesktop/portal/desktop",
    bus_name="org.freedesktop.portal.Desktop",
    interface="org.freedesktop.portal.GlobalShortcuts",
)
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
SESSION_INTERFACE = "org.freedesktop.portal.Session"
CALL_TIMEOUT_S = 5.0
# BindShortcuts may open the desktop's own dialog where the user confirms the keys.
BIND_TIMEOUT_S = 120.0
NO_PORTAL_NOTE = (
    "Global hotkeys on Wayland need the desktop's GlobalShortcuts portal "
    "(xdg-desktop-portal with KDE Plasma 5.27+, GNOME 48+ or Hyprland), and {why}. "
    "liveview's shortcuts still work while its window has the focus."
)
# The portal's trigger syntax (the shortcuts XDG spec): CTRL, ALT, SHIFT, LOGO, then the key.
_PORTAL_MODIFIERS = {
    Modifier.CTRL: "CTRL",
    Modifier.ALT: "ALT",
    Modifier.SHIFT: "SHIFT",
    Modifier.SUPER: "LOGO",
}


def preferred_trigger(binding: Binding) -> str:
    mods = [_PORTAL_MODIFIERS[m] for m in Modifier if m in binding.modifiers]
    key = binding.key.lower() if len(binding.key) == 1 else binding.key
    return "+".join([*mods, "space" if key == "Space" else key])


def open_portal_backend(bus: str = "SESSION") -> HotkeyBackend:
    """The portal backend, or an UnavailableBackend saying why there is none."""
    try:
        router = DBusRouter(open_dbus_connection(bus))
    except Exception as exc:  # no session bus address, refused, ...
        why = f"there is no D-Bus session bus here ({exc})"
        return UnavailableBackend(GrabStatus.NO_PORTAL, NO_PORTAL_NOTE.format(why=why))
    version = _portal_version(router)
    if version is None:
        router.close()
        router.conn.close()
        why = "this desktop does not offer it"
        return UnavailableBackend(GrabStatus.NO_PORTAL, NO_PORTAL_NOTE.format(why=why))
    return PortalHotkeys(router, version)


def _portal_version(router: DBusRouter) -> int | None:
    get = new_method_call(
        DBusAddress(PORTAL.object_path, PORTAL.bus_name, "org.freedesktop.DBus.Properties"),
        "Get",
        "ss",
        (PORTAL.interface, "version"),
    )
    try:
        reply = router.send_and_get_reply(get, timeout=CALL_TIMEOUT_S)
    except Exception as exc:  # timeout, router closed
        log.info("GlobalShortcuts portal not reachable: %s", exc)
        return None
    if reply.header.message_type is MessageType.error:
        return None  # ServiceUnknown / UnknownInterface / UnknownProperty: no portal here
    _signature, value = reply.body[0]
    return int(value)


class PortalHotkeys(HotkeyBackend):
    name = "XDG GlobalShortcuts portal"

    def __init__(self, router: DBusRouter, version: int) -> None:
        self._router = router
        self.version = version
        self._sender = router.unique_name.lstrip(":").replace(".", "_")
        self._sessions: dict[Binding, str] = {}
        self._callbacks: dict[tuple[str, str], tuple[Callback, Callback | None]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count()
        # The router puts matching signals here; None (put by close) stops the dispatcher.
        self._signals: queue.Queue[Message | None] = queue.Queue(maxsize=256)
        self._stop = threading.Event()
        for member in ("Activated", "Deactivated"):
            rule = MatchRule(type="signal", interface=PORTAL.interface, member=member)
            router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)
            router.filter(rule, queue=self._signals)
        self._thread = threading.Thread(target=self._dispatch, name="hotkeys: portal", daemon=True)
        self._thread.start()

    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        shortcut_id = f"liveview-{next(self._ids)}"
        try:
            session = self._create_session()
            bound = self._bind(session, shortcut_id, binding)
        except (DBusErrorResponse, TimeoutError, OSError) as exc:
            return GrabResult(binding, GrabStatus.UNAVAILABLE, f"The portal refused: {exc}")
        if shortcut_id not in bound:
            self._close_session(session)
            return GrabResult(
                binding,
                GrabStatus.TAKEN,
                f"The desktop did not bind {binding} (taken, or not confirmed in its dialog).",
            )
        with self._lock:
            self._sessions[binding] = session
            self._callbacks[(session, shortcut_id)] = (on_press, on_release)
        trigger = bound[shortcut_id]
        note = f"bound by the desktop as {trigger}" if trigger else ""
        return GrabResult(binding, GrabStatus.OK, note)

    def unregister(self, binding: Binding) -> None:
        with self._lock:
            session = self._sessions.pop(binding, None)
            if session is not None:
                for key in [k for k in self._callbacks if k[0] == session]:
                    del self._callbacks[key]
        if session is not None:
            self._close_session(session)

    def close(self) -> None:
        if self._stop.is_set():
            return
        for binding in list(self._sessions):
            self.unregister(binding)
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._signals.put_nowait(None)
        self._router.close()
        self._router.conn.close()

    # --- requests -------------------------------------------------------------------------

    def _request(self, make: Callable[[str], Message], timeout_s: float) -> dict[str, Any]:
        """Call a portal method that answers through a Request object's Response signal."""
        token = f"liveview_{secrets.token_hex(6)}"
        path = f"/org/freedesktop/portal/desktop/request/{self._sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST_INTERFACE, member="Response", path=path)
        self._router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)
        # Subscribed before the call, so a fast Response cannot be missed.
        with self._router.filter(rule, bufsize=1) as responses:
            reply = self._router.send_and_get_reply(make(token), timeout=CALL_TIMEOUT_S)
            if reply.header.message_type is MessageType.error:
                raise DBusErrorResponse(reply)
            try:
                response = responses.get(timeout=timeout_s)
            except queue.Empty:
                raise TimeoutError("the portal did not answer") from None
        code, results = response.body
        if code != 0:  # 1: the user cancelled, 2: failed
            raise OSError(f"request ended with code {code}")
        return {name: value for name, (_sig, value) in results.items()}

    def _create_session(self) -> str:
        def make(token: str) -> Message:
            options = {
                "handle_token": ("s", token),
                "session_handle_token": ("s", f"liveview_s{secrets.token_hex(6)}"),
            }
            return new_method_call(PORTAL, "CreateSession", "a{sv}", (options,))

        return str(self._request(make, CALL_TIMEOUT_S)["session_handle"])

    def _bind(self, session: str, shortcut_id: str, binding: Binding) -> dict[str, str]:
        def make(token: str) -> Message:
            shortcut = (
                shortcut_id,
                {
                    "description": ("s", f"liveview: {binding}"),
                    "preferred_trigger": ("s", preferred_trigger(binding)),
                },
            )
            return new_method_call(
                PORTAL,
                "BindShortcuts",
                "oa(sa{sv})sa{sv}",
                (session, [shortcut], "", {"handle_token": ("s", token)}),
            )

        results = self._request(make, BIND_TIMEOUT_S)
        bound = {}
        for bound_id, props in results.get("shortcuts", []):
            description = props.get("trigger_description", ("s", ""))[1]
            bound[str(bound_id)] = str(description)
        return bound

    def _close_session(self, session: str) -> None:
        close = new_method_call(DBusAddress(session, PORTAL.bus_name, SESSION_INTERFACE), "Close")
        with contextlib.suppress(Exception):
            self._router.send_and_get_reply(close, timeout=CALL_TIMEOUT_S)

    # --- signals --------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            message = self._signals.get()
            if message is None or self._stop.is_set():
                return
            try:
                session, shortcut_id = str(message.body[0]), str(message.body[1])
                with self._lock:
                    callbacks = self._callbacks.get((session, shortcut_id))
                if callbacks is None:
                    continue
                on_press, on_release = callbacks
                if message.header.fields.get(HeaderFields.member) == "Activated":
                    on_press()
                elif on_release is not None:
                    on_release()
            except Exception:
                log.exception("portal hotkey callback failed")
