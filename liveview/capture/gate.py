"""AutoPauseGate: desktop.auto_pause's decision as a FrameFilter (it holds the video while a
window on the pause list is visible on the frame's part of the screen)."""

from __future__ import annotations

from liveview.capture.base import FrameGate, NoFrameNow, Region
from liveview.desktop.auto_pause import AutoPauseWatcher


class AutoPauseGate(FrameGate):
    """Put it first in FrameProducer's filters: a held frame costs no masking. A FrameGate:
    between grabs the producer asks hold_for(), so a held screen is not grabbed at all."""

    def __init__(self, watcher: AutoPauseWatcher) -> None:
        self._watcher = watcher

    def hold_for(self, region: Region | None) -> NoFrameNow | None:
        reason = self._watcher.reason_for(region)
        if reason is None:
            return None
        # Looked at again at twice the list's refresh rate: resumes as soon as the list says so.
        return NoFrameNow(
            reason.notice, badge=reason.badge, retry_after_s=self._watcher.poll_interval_s / 2
        )
