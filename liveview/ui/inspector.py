"""The protocol inspector: every message in and out (time, direction, type, size, summary).

Rows come from core.WireMessage, which never carries a payload or a key; as a second guard every
summary is scrubbed of the configured key before it is shown. Rows arrive in bursts (audio both
ways is ~50 messages/s), so they are buffered and added to the table a few times a second.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from liveview.core.bus import EventBus
from liveview.core.events import WireMessage
from liveview.transport.wire import Direction, format_size

MAX_ROWS = 5_000  # the oldest rows go first; the inspector is for the recent past
FLUSH_INTERVAL_MS = 250
COLUMNS = ("Time", "Dir", "Type", "Size", "Summary")
ALL_TYPES = "All types"
REDACTED = "•••"

Index = QModelIndex | QPersistentModelIndex


class WireTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: deque[tuple[str, str, str, str, str]] = deque()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self.rows[index.row()][index.column()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def append(self, rows: list[tuple[str, str, str, str, str]]) -> None:
        overflow = len(self.rows) + len(rows) - MAX_ROWS
        if overflow > 0:
            drop = min(overflow, len(self.rows))
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            for _ in range(drop):
                self.rows.popleft()
            self.endRemoveRows()
            rows = rows[-MAX_ROWS:]
        if not rows:
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()


class QtProtocolInspector(QDockWidget):
    """Every message in and out, from the session's bus."""

    def __init__(self, bus: EventBus, parent: QWidget | None = None) -> None:
        super().__init__("Protocol inspector", parent)
        self.setObjectName("inspector")
        self.secrets: tuple[str, ...] = ()  # scrubbed from every summary
        self.kinds: set[str] = set()
        self._pending: list[tuple[str, str, str, str, str]] = []
        self.model = WireTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(2)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.filter = QComboBox(self)
        self.filter.addItem(ALL_TYPES)
        self.lag_label = QLabel("loop lag p99: –", self)
        self.lag_label.setObjectName("loop_lag")
        clear = QPushButton("Clear", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Type:", self))
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.lag_label)
        top.addWidget(clear)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self._on_flush_due)
        self._timer.start()
        self.filter.currentTextChanged.connect(self._on_filter_changed)
        clear.clicked.connect(self._on_clear)
        bus.on(WireMessage, self.add)

    def add(self, message: WireMessage) -> None:
        summary = message.summary
        for secret in self.secrets:
            if secret:
                summary = summary.replace(secret, REDACTED)
        wall = time.time()
        stamp = time.strftime("%H:%M:%S", time.localtime(wall)) + f".{int(wall % 1 * 1000):03d}"
        arrow = "→ out" if message.direction is Direction.OUT else "← in"
        self._pending.append((stamp, arrow, message.kind, format_size(message.size), summary))
        if len(self._pending) > MAX_ROWS:
            del self._pending[: len(self._pending) - MAX_ROWS]

    def flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        for row in rows:
            if row[2] not in self.kinds:
                self.kinds.add(row[2])
                self.filter.addItem(row[2])
        self.model.append(rows)
        if self.isVisible():
            self.table.scrollToBottom()

    def all_text(self) -> list[str]:
        """Every cell of every row (tests: the key is never there)."""
        self.flush()
        return [cell for row in self.model.rows for cell in row]

    def set_loop_lag(self, p99_ms: float, max_ms: float) -> None:
        self.lag_label.setText(f"loop lag p99: {p99_ms:.1f} ms (max {max_ms:.0f} ms)")

    def _on_flush_due(self) -> None:
        self.flush()

    def _on_filter_changed(self, text: str) -> None:
        if text == ALL_TYPES:
            self.proxy.setFilterFixedString("")
        else:
            self.proxy.setFilterRegularExpression(f"^{_escape(text)}$")

    def _on_clear(self) -> None:
        self._pending.clear()
        self.model.clear()


def _escape(text: str) -> str:
    from re import escape

    return escape(text)
