"""OS integration without widgets: global hotkeys, the list of application windows, auto-pause
and capture exclusion. Each OS's quirks live in one file behind one small interface:

  hotkeys.py            Binding, GrabResult, HotkeyActions as data, TapHoldSwitch, GlobalHotkeys
  hotkey_platform.py    open_backend(): the backend for this platform and session
  hotkeys_x11.py        XGrabKey through python-xlib
  hotkeys_windows.py    RegisterHotKey through ctypes
  hotkeys_macos.py      pynput (Quartz event tap; needs the Accessibility permission)
  hotkeys_portal.py     the XDG GlobalShortcuts portal over D-Bus (jeepney), for Wayland
  windows.py            WindowInfo, WindowLister, match_windows()
  window_platform.py    open_lister(), list_windows(), OwnWindowRects for this OS and session
  windows_x11.py        EWMH through python-xlib
  windows_win32.py      EnumWindows / DWM through ctypes
  windows_macos.py      CGWindowListCopyWindowInfo through pyobjc (Quartz)
  auto_pause.py         which windows pause the video, and the watcher that keeps the list fresh
  capture_exclusion.py  WDA_EXCLUDEFROMCAPTURE (Windows) and NSWindow.sharingType (macOS)

Nothing here imports Qt: native window handles are passed in as integers.
"""

from __future__ import annotations
