"""The user's privacy rectangles in a running window: loaded when the desktop starts, applied
as a frame filter, edited over the shared monitor and saved (issue 13, item 5).

Knows the window only through three callables (what is shared now, how to say something, how to
make the video take new filters), so it stays a small, separately testable piece of the desktop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from liveview.capture import privacy
from liveview.capture.masks import RectMask
from liveview.capture.screen import MonitorInfo, list_monitors
from liveview.errors import LiveViewError
from liveview.ui.privacy_editor import edit_privacy, masks_summary

Say = Callable[[str, bool], None]  # (text, is_error)


def masked_monitor(monitors: list[MonitorInfo], shared_spec: str) -> MonitorInfo | None:
    """The monitor whose rectangles are edited: the one shared now, else the primary."""
    shared = shared_spec.removeprefix("screen:") if shared_spec.startswith("screen:") else ""
    chosen = next((m for m in monitors if str(m.index) == shared), None)
    primary = next((m for m in monitors if m.is_primary), monitors[0] if monitors else None)
    return chosen or primary


class PrivacyMaskHost:
    def __init__(
        self, shared_spec: Callable[[], str], say: Say, refilter: Callable[[], None]
    ) -> None:
        self.masks = privacy.PrivacyMasks()
        self.monitors: list[MonitorInfo] = []  # where the rectangles are placed on the screen
        self._shared_spec = shared_spec
        self._say = say
        self._refilter = refilter

    def frame_filter(self) -> RectMask | None:
        """The filter masking the rectangles of the connected monitors (None: there are none)."""
        if self.monitors and self.masks.monitors:
            return self.masks.mask(self.monitors)
        return None

    def summary(self) -> str:
        """What is kept, in a few words (Settings shows it beside its button)."""
        counts = [len(rects) for rects in self.masks.monitors.values()]
        if not counts:
            return "none yet"
        rects = "rectangle" if sum(counts) == 1 else "rectangles"
        monitors = "monitor" if len(counts) == 1 else "monitors"
        return f"{sum(counts)} {rects} kept on {len(counts)} {monitors}"

    async def load(self) -> None:
        """The saved rectangles; a file that cannot be read is said (and left as it is)."""
        try:
            self.monitors = await asyncio.to_thread(list_monitors)
            self.masks = await asyncio.to_thread(privacy.load)
        except LiveViewError as exc:
            self._say(exc.user_message, False)
        self._refilter()

    async def edit(self, parent: QWidget | None = None) -> str:
        """Draw the rectangles over the monitor, then keep them: applied at once and saved. A
        file that cannot be read is said and left alone (nothing drawn overwrites it); one that
        cannot be written keeps the rectangles for this session and says so. Returns what was
        said."""
        try:
            monitors = await asyncio.to_thread(list_monitors)
            saved = await asyncio.to_thread(privacy.load)
        except LiveViewError as exc:
            return self._tell(exc.user_message, error=True)
        monitor = masked_monitor(monitors, self._shared_spec())
        if monitor is None:
            return self._tell("There is no monitor to draw privacy masks on.", error=True)
        edited = await edit_privacy(monitor, saved, parent)
        if edited is None:
            return self._tell("Privacy masks left as they were.")
        self.masks, self.monitors = edited, monitors
        self._refilter()
        summary = masks_summary(len(edited.rects_for(monitor)), monitor)
        try:
            await asyncio.to_thread(privacy.save, edited)
        except OSError as exc:
            return self._tell(
                f"{summary}: applied to this session but not saved ({exc}). Free some space or "
                "check the config folder, then draw them again.",
                error=True,
            )
        return self._tell(f"{summary}, applied and saved.")

    def _tell(self, text: str, *, error: bool = False) -> str:
        self._say(text, error)
        return text
