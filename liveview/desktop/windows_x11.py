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

from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowKind, WindowLister, WindowListError

ICONIC_STATE = 3  # ICCCM WM_STATE.state of a minimised window
_ATOMS = (
    "_NET_SUPPORTING_WM_CHECK",
    "_NET_CLIENT_LIST_STACKING",
    "_NET_CLIENT_LIST",
    "_NET_WM_NAME",
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
        self._closed = False

    # --- WindowLister ---------------------------------------------------------------------

    def snapshot(self) -> list[WindowInfo]:
        ids = self._client_ids()
        current_desktop = self._cardinal(self._root, "_NET_CURRENT_DESKTOP")
        windows = []
        for stacking, wid in enumerate(ids):
            info = self._describe(wid, stacking, current_desktop)
            if info is not None:
                windows.append(info)
        alive = set(ids)
        for gone in [wid for wid in self._static if wid not in alive]:
            del self._static[gone]
        return windows

    def window(self, handle: int) -> WindowInfo | None:
        ids = self._client_ids()
        if handle not in ids:
            return None
        current_desktop = self._cardinal(self._root, "_NET_CURRENT_DESKTOP")
        return self._describe(handle, ids.index(handle), current_desktop)

    def process_rects(self, pid: int) -> list[Region]:
        """Managed windows of `pid` (their frames), and its override-redirect windows, which the
        window manager does not list: menus, tooltips and full-screen pickers such as
        liveview's region overlay. Qt sets _NET_WM_PID on both."""
        rects = [w.frame for w in self.snapshot() if w.pid == pid and w.visible]
        for child in self._root.query_tree().children:
            try:
                attributes = child.get_attributes()
                if not attributes.override_redirect or attributes.map_state != X.IsViewable:
                    continue
                if self._cardinal(child, "_NET_WM_PID") != pid:
                    continue
                rects.append(self._client_geometry(child))
            except error.XError:
                continue  # gone meanwhile
        return rects

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(Exception):
                self._display.close()

    # --- reading one window ---------------------------------------------------------------

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

    def _describe(self, wid: int, stacking: int, current_desktop: int | None) -> WindowInfo | None:
        win = self._display.create_resource_object("window", wid)
        try:
            attributes = win.get_attributes()
            geometry = self._client_geometry(win)
            title = self._title(win)
            app, pid, process, kind = self._static_facts(wid, win)
            states = self._atoms(win, "_NET_WM_STATE")
            wm_state = self._property(win, "WM_STATE", self._atom["WM_STATE"])
            desktop = self._cardinal(win, "_NET_WM_DESKTOP")
            extents = self._property(win, "_NET_FRAME_EXTENTS", Xatom.CARDINAL)
        except error.XError:
            return None  # it vanished while we looked: it is simply not there any more
        iconic = wm_state is not None and len(wm_state.value) and wm_state.value[0] == ICONIC_STATE
        minimised = bool(iconic) or self._atom["_NET_WM_STATE_HIDDEN"] in states
        on_desktop = desktop in (None, ALL_DESKTOPS, current_desktop) or current_desktop is None
        viewable = attributes.map_state == X.IsViewable
        left, right, top, bottom = (
            (int(v) for v in extents.value[:4])
            if extents is not None and len(extents.value) >= 4
            else (0, 0, 0, 0)
        )
        frame = Region(
            geometry.x - left,
            geometry.y - top,
            geometry.width + left + right,
            geometry.height + top + bottom,
        )
        return WindowInfo(
            handle=wid,
            title=title,
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

    def _client_geometry(self, win: Any) -> Region:
        size = win.get_geometry()
        # Under a reparenting window manager x, y are relative to its frame: ask the server
        # where the client's origin is on the root window instead.
        origin = self._root.translate_coords(win, 0, 0)
        return Region(int(origin.x), int(origin.y), int(size.width), int(size.height))

    def _title(self, win: Any) -> str:
        prop = self._property(win, "_NET_WM_NAME", self._atom["UTF8_STRING"])
        if prop is not None and prop.value:
            raw = prop.value
            return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        legacy = win.get_wm_name()  # ICCCM WM_NAME (Latin-1 or compound text)
        if isinstance(legacy, bytes):
            return legacy.decode("latin-1", "replace")
        return str(legacy or "")

    def _static_facts(self, wid: int, win: Any) -> tuple[str, int | None, str | None, WindowKind]:
        cached = self._static.get(wid)
        if cached is not None:
            return cached
        wm_class = win.get_wm_class()  # (instance, class) or None
        pid_value = self._cardinal(win, "_NET_WM_PID")
        pid = pid_value if pid_value else None
        process = process_name(pid)
        app = str(wm_class[1]) if wm_class else (process or "unknown")
        types = self._atoms(win, "_NET_WM_WINDOW_TYPE")
        # A window that names no type is a normal one (EWMH); the first known type wins.
        kind = next((self._kind_of[t] for t in types if t in self._kind_of), None)
        if kind is None:
            kind = WindowKind.NORMAL if not types else WindowKind.OTHER
        facts = (app, pid, process, kind)
        self._static[wid] = facts
        return facts

    # --- property helpers -----------------------------------------------------------------

    def _property(self, win: Any, name: str, prop_type: int) -> Any:
        return win.get_full_property(self._atom[name], prop_type)

    def _cardinal(self, win: Any, name: str) -> int | None:
        prop = self._property(win, name, Xatom.CARDINAL)
        if prop is None or not len(prop.value):
            return None
        return int(prop.value[0])

    def _atoms(self, win: Any, name: str) -> list[int]:
        prop = self._property(win, name, Xatom.ATOM)
        return [int(v) for v in prop.value] if prop is not None else []
