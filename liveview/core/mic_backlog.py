"""Microphone audio kept while there is no connection, sent once the session resumes.

Bounded: past MIC_BACKLOG_S the oldest chunks go, and a counter says how many.
"""

from __future__ import annotations

from collections import deque

from liveview.protocol.messages import AudioChunk

MIC_BACKLOG_S = 10.0


class MicBacklog:
    def __init__(self, max_s: float = MIC_BACKLOG_S) -> None:
        self.max_s = max_s
        self._chunks: deque[AudioChunk] = deque()
        self._held_s = 0.0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._chunks)

    def add(self, chunk: AudioChunk) -> None:
        self._chunks.append(chunk)
        self._held_s += chunk.duration_s
        while self._held_s > self.max_s and len(self._chunks) > 1:
            old = self._chunks.popleft()
            self._held_s -= old.duration_s
            self.dropped += 1

    def put_back(self, older: list[AudioChunk]) -> None:
        """Chunks that were captured before everything held now (rescued from a closed
        connection's queue) go in front, so the order of capture is kept."""
        newer = self.take_all()
        for chunk in [*older, *newer]:
            self.add(chunk)

    def take_all(self) -> list[AudioChunk]:
        chunks = list(self._chunks)
        self._chunks.clear()
        self._held_s = 0.0
        return chunks
