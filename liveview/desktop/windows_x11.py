"""X11 window listing through EWMH properties, read with python-xlib (see windows.py for why).

The window manager keeps the list (_NET_CLIENT_LIST_STACKING, bottom to top) and the frame it
draws (_NET_FRAME_EXTENTS); without a window manager there is no such list, and that is said
plainly rather than guessed from XQueryTree (which would list bare frames and helper windows).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from Xlib import X, Xatom, display, error
from Xlib.protocol import request

from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowKind, WindowLister, WindowListError

ICONIC_STATE = 3  # ICCCM WM_STATE.state of a minimised window
_ATOMS = (
    "_NET_SUPPORTING_WM_CHECK",
    "_NET_CLIENT_LIST_STACKING",
    "_NET_CLIENT_LIST",
    "_NET_WM_NAME",
    "WM_NAME",
    "WM_CLASS",
    "UTF8_STRING",
    "_NET_WM_PID",
    "_NET_WM_STATE",
    "_NET_WM_STATE_HIDDEN",
    "WM_STATE",
    "_NET_FRAME_EXTENTS",
    "_NET_WM_WINDOW_TYPE",
    "_NET_WM_WINDOW_TYPE_NORMAL",
    "_NET_WM_WINDOW_TYPE_DIALOG",
    "_NET_WM_WINDOW_TYPE_UTILITY",
    "_NET_WM_DESKTOP",
    "_NET_CURRENT_DESKTOP",
)
_KINDS = {
    "_NET_WM_WINDOW_TYPE_NORMAL": WindowKind.NORMAL,
    "_NET_WM_WINDOW_TYPE_DIALOG": WindowKind.DIALOG,
    "_NET_WM_WINDOW_TYPE_UTILITY": WindowKind.UTILITY,
}
ALL_DESKTOPS = 0xFFFFFFFF  # _NET_WM_DESKTOP of a sticky window


def open_display(name: str | None = None) -> display.Display:
    """A python-xlib connection, or WindowListError saying why there is none."""
    try:
        return display.Display(name)
    except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
        shown = name or os.environ.get("DISPLAY", "")
        raise WindowListError(f"Cannot connect to the X display {shown!r}: {exc}") from exc


def process_name(pid: int | None) -> str | None:
    """The command name of a local process (Linux /proc), or None."""
    if pid is None:
        return None
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip()
    return None


class X11WindowLister(WindowLister):
    """EWMH listing on one python-xlib connection (one thread)."""

    def __init__(self, display_name: str | None = None) -> None:
        self._display = open_display(display_name)
        self._root = self._display.screen().root
        self._atom = {name: self._display.intern_atom(name) for name in _ATOMS}
        self._kind_of = {self._atom[name]: kind for name, kind in _KINDS.items()}
        # What never changes for a window while it exists: application, pid, process, kind.
        self._static: dict[int, tuple[str, int | None, str | None, WindowKind]] = {}
        self._pids: dict[int, int | None] = {}  # _NET_WM_PID by window id (process_rects)
        self._closed = False

    # --- WindowLister ---------------------------------------------------------------------

    def snapshot(self) -> list[WindowInfo]:
        ids = self._client_ids()
        windows = self._describe_all(list(enumerate(ids)))
        alive = set(ids)
        for gone in [wid for wid in self._static if wid not in alive]:
            del self._static[gone]
        return windows

    def window(self, handle: int) -> WindowInfo | None:
        ids = self._client_ids()
        if handle not in ids:
            return None
        found = self._describe_all([(ids.index(handle), handle)])
        return found[0] if found else None

    def process_rects(self, pid: int) -> list[Region]:
        """Managed windows of `pid` (their frames), and its override-redirect windows, which the
        window manager does not list: menus, tooltips and full-screen pickers such as
        liveview's region overlay. Qt sets _NET_WM_PID on both.

        Called on every grab by SelfMask, so only `pid`'s own windows are described: the pid of
        every other window is read once and cached (a window's pid never changes)."""
        ids = self._client_ids()
        mine = [(i, wid) for i, wid in enumerate(ids) if self._pid_of(wid) == pid]
        rects = [w.frame for w in self._describe_all(mine) if w.visible]
        children = self._root.query_tree().children
        for child in children:
            if self._pid_of(int(child.id)) != pid or int(child.id) in ids:
                continue
            try:
                attributes = child.get_attributes()
                if attributes.override_redirect and attributes.map_state == X.IsViewable:
                    rects.append(self._client_geometry(child))
            except error.XError:
                continue  # gone meanwhile
        alive = {int(c.id) for c in children} | set(ids)
        for gone in [wid for wid in self._pids if wid not in alive]:
            del self._pids[gone]
        return rects

    def _pid_of(self, wid: int) -> int | None:
        if wid not in self._pids:
            win = self._display.create_resource_object("window", wid)
            try:
                self._pids[wid] = self._cardinal(win, "_NET_WM_PID")
            except error.XError:
                return None
        return self._pids[wid]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(Exception):
                self._display.close()

    # --- reading windows: every request sent first, then every reply read (one round trip) --

    def _client_ids(self) -> list[int]:
        self._require_window_manager()
        for name in ("_NET_CLIENT_LIST_STACKING", "_NET_CLIENT_LIST"):
            prop = self._property(self._root, name, Xatom.WINDOW)
            if prop is not None:
                return [int(v) for v in prop.value]
        raise WindowListError(
            "The window manager does not publish the window list (_NET_CLIENT_LIST): liveview "
            "needs an EWMH window manager to list windows. Share a screen or a region instead."
        )

    def _require_window_manager(self) -> None:
        prop = self._property(self._root, "_NET_SUPPORTING_WM_CHECK", Xatom.WINDOW)
        alive = False
        if prop is not None and len(prop.value):
            check = self._display.create_resource_object("window", int(prop.value[0]))
            with contextlib.suppress(error.XError):
                check.get_geometry()
                alive = True
        if not alive:
            raise WindowListError(
                f"No window manager is running on display {self._display.get_display_name()}: "
                "windows are listed through the window manager (EWMH), and without one there "
                "is no list of application windows. Start the desktop's window manager, or "
                "share a screen or a region instead."
            )

    def _describe_all(self, stacked: list[tuple[int, int]]) -> list[WindowInfo]:
        """WindowInfo for each (stacking, window id); windows that vanished are left out."""
        desktop_request = self._ask(self._root.id, "_NET_CURRENT_DESKTOP", Xatom.CARDINAL)
        asked = [(stacking, wid, self._ask_window(wid)) for stacking, wid in stacked]
        desktop_request.reply()
        current_desktop = _first_cardinal(desktop_request)
        windows = []
        for stacking, wid, requests in asked:
            try:
                windows.append(self._answer(wid, stacking, current_desktop, requests))
            except error.XError:
                continue  # it vanished while we looked: it is simply not there any more
        return windows

    def _ask(self, wid: int, name: str, prop_type: int) -> Any:
        # 1024 longs: a title up to 4 kB comes back in one reply (get_full_property may need two).
        return request.GetProperty(
            display=self._display.display,
            defer=True,
            delete=False,
            window=wid,
            property=self._atom[name],
            type=prop_type,
            long_offset=0,
            long_length=1024,
        )

    def _ask_window(self, wid: int) -> dict[str, Any]:
        protocol = self._display.display
        requests = {
            "attributes": request.GetWindowAttributes(display=protocol, defer=True, window=wid),
            "size": request.GetGeometry(display=protocol, defer=True, drawable=wid),
            # Under a reparenting window manager GetGeometry's x, y are relative to its frame:
            # ask where the client's origin is on the root window instead.
            "origin": request.TranslateCoords(
                display=protocol, defer=True, src_wid=wid, dst_wid=self._root.id, src_x=0, src_y=0
            ),
            "net_name": self._ask(wid, "_NET_WM_NAME", self._atom["UTF8_STRING"]),
            "name": self._ask(wid, "WM_NAME", X.AnyPropertyType),
            "state": self._ask(wid, "_NET_WM_STATE", Xatom.ATOM),
            "wm_state": self._ask(wid, "WM_STATE", self._atom["WM_STATE"]),
            "desktop": self._ask(wid, "_NET_WM_DESKTOP", Xatom.CARDINAL),
            "extents": self._ask(wid, "_NET_FRAME_EXTENTS", Xatom.CARDINAL),
        }
        if wid not in self._static:
            requests["class"] = self._ask(wid, "WM_CLASS", Xatom.STRING)
            requests["pid"] = self._ask(wid, "_NET_WM_PID", Xatom.CARDINAL)
            requests["type"] = self._ask(wid, "_NET_WM_WINDOW_TYPE", Xatom.ATOM)
        return requests

    def _answer(
        self, wid: int, stacking: int, current_desktop: int | None, requests: dict[str, Any]
    ) -> WindowInfo:
        for pending in requests.values():
            pending.reply()  # raises the XError of a window that vanished
        app, pid, process, kind = self._static_facts(wid, requests)
        size, origin = requests["size"], requests["origin"]
        geometry = Region(int(origin.x), int(origin.y), int(size.width), int(size.height))
        wm_state = _values(requests["wm_state"])
        iconic = bool(wm_state) and wm_state[0] == ICONIC_STATE
        hidden = self._atom["_NET_WM_STATE_HIDDEN"] in _values(requests["state"])
        minimised = iconic or hidden
        desktop = _first_cardinal(requests["desktop"])
        on_desktop = current_desktop is None or desktop in (None, ALL_DESKTOPS, current_desktop)
        viewable = requests["attributes"].map_state == X.IsViewable
        extents = _values(requests["extents"])
        left, right, top, bottom = (int(v) for v in extents[:4]) if len(extents) >= 4 else (0,) * 4
        frame = Region(
            geometry.x - left,
            geometry.y - top,
            geometry.width + left + right,
            geometry.height + top + bottom,
        )
        return WindowInfo(
            handle=wid,
            title=_title(requests["net_name"], requests["name"], self._atom["UTF8_STRING"]),
            app=app,
            pid=pid,
            process=process,
            geometry=geometry,
            frame=frame,
            minimised=minimised,
            visible=viewable and not minimised and on_desktop,
            stacking=stacking,
            kind=kind,
        )

    def _static_facts(
        self, wid: int, requests: dict[str, Any]
    ) -> tuple[str, int | None, str | None, WindowKind]:
        cached = self._static.get(wid)
        if cached is not None:
            return cached
        raw_class = requests["class"].value[1] if requests["class"].property_type else b""
        if isinstance(raw_class, str):
            raw_class = raw_class.encode("latin-1")
        parts = bytes(raw_class).split(b"\0")  # "instance\0class\0"
        wm_class = parts[1].decode("latin-1") if len(parts) > 1 and parts[1] else ""
        pid = _first_cardinal(requests["pid"]) or None
        self._pids[wid] = pid
        process = process_name(pid)
        app = wm_class or process or "unknown"
        types = _values(requests["type"])
        # A window that names no type is a normal one (EWMH); the first known type wins.
        kind = next((self._kind_of[t] for t in types if t in self._kind_of), None)
        if kind is None:
            kind = WindowKind.NORMAL if not types else WindowKind.OTHER
        facts = (app, pid, process, kind)
        self._static[wid] = facts
        return facts

    def _client_geometry(self, win: Any) -> Region:
        size = win.get_geometry()
        origin = self._root.translate_coords(win, 0, 0)
        return Region(int(origin.x), int(origin.y), int(size.width), int(size.height))

    # --- property helpers -----------------------------------------------------------------

    def _property(self, win: Any, name: str, prop_type: int) -> Any:
        return win.get_full_property(self._atom[name], prop_type)

    def _cardinal(self, win: Any, name: str) -> int | None:
        prop = self._property(win, name, Xatom.CARDINAL)
        if prop is None or not len(prop.value):
            return None
        return int(prop.value[0])


def _values(reply: Any) -> list[int]:
    """The values of a GetProperty reply of format 32 (empty when the property is absent)."""
    if not reply.property_type:
        return []
    _fmt, values = reply.value
    return [int(v) for v in values]


def _first_cardinal(reply: Any) -> int | None:
    values = _values(reply)
    return values[0] if values else None


def _title(net_name: Any, name: Any, utf8_string: int) -> str:
    """_NET_WM_NAME (UTF-8), else ICCCM WM_NAME (Latin-1 STRING, or UTF8_STRING from some
    toolkits)."""
    for reply in (net_name, name):
        if reply.property_type:
            _fmt, raw = reply.value
            text = raw.encode("latin-1") if isinstance(raw, str) else bytes(raw)
            utf8 = reply is net_name or reply.property_type == utf8_string
            return text.decode("utf-8" if utf8 else "latin-1", "replace")
    return ""
