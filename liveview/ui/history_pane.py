"""The History pane (a dock, Ctrl+H): the kept conversations newest first, a search box (FTS5,
ranked, with snippets), the opened one read-only with its thumbnails, and Continue, Export and
Delete.

Every read and write goes through core/history_reader (a worker thread each); the results come
back to the loop and only then touch widgets. A database that cannot be used is said in the
pane in the words of its HistoryError, and nothing is written to it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from liveview.core import events as core
from liveview.core.app_model import AppModel
from liveview.core.export import EXPORT_FORMATS, ExportFailed
from liveview.core.history_db import HistoryError
from liveview.core.history_reader import HistoryReader, ListedSession, SessionView
from liveview.ui.history_rows import QtHistoryRow, show_view

SEARCH_DELAY_MS = 250  # search as you type, once the typing pauses
_EXPORT_FILTERS = {"md": "Markdown (*.md)", "json": "JSON (*.json)"}
_PROBLEM_STYLE = "color:#e74c3c"


class QtHistoryPane(QDockWidget):
    """`reader` reads the database the app model's history writes (its own path in tests)."""

    listed = Signal()  # the list was filled (or a problem said)
    opened = Signal()  # a session is shown (or none)

    def __init__(
        self, model: AppModel, reader: HistoryReader, parent: QWidget | None = None
    ) -> None:
        super().__init__("History", parent)
        self.setObjectName("history")
        self.model = model
        self.reader = reader
        self.rows: list[ListedSession] = []
        self.current: SessionView | None = None
        self.confirm: QMessageBox | None = None
        self._generation = 0  # a newer list or search makes older answers stale
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.request_refresh)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.list.currentRowChanged.connect(self._on_row_chosen)
        self.continue_button.clicked.connect(self.request_continue)
        self.export_button.clicked.connect(self.export_with_dialog)
        self.delete_button.clicked.connect(self.ask_delete)
        self.visibilityChanged.connect(self._on_visibility)
        model.bus.on(core.StateChanged, self._on_state)
        self._set_buttons()

    def _build(self) -> None:
        body = QWidget(self)
        self.search = QLineEdit(body)
        self.search.setObjectName("history_search")
        self.search.setPlaceholderText("Search what was said…")
        self.search.setClearButtonEnabled(True)
        self.problem = QLabel(body)
        self.problem.setObjectName("history_problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        self.count = QLabel(body)
        self.count.setObjectName("history_count")
        self.list = QListWidget(body)
        self.list.setObjectName("history_list")
        self.view = QTextBrowser(body)
        self.view.setObjectName("history_view")
        self.view.setOpenExternalLinks(True)
        self.view.setPlaceholderText("Choose a conversation to read it here.")
        self.continue_button = QPushButton("Continue", body)
        self.continue_button.setToolTip("Start a new session that knows this conversation")
        self.export_button = QPushButton("Export…", body)
        self.delete_button = QPushButton("Delete…", body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.continue_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.delete_button)
        detail = QWidget(body)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.view, 1)
        detail_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical, body)
        split.addWidget(self.list)
        split.addWidget(detail)
        split.setSizes([300, 400])
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.problem)
        layout.addWidget(self.count)
        layout.addWidget(split, 1)
        self.setWidget(body)
        self.setMinimumWidth(360)

    def _spawn(self, work: Awaitable[object], name: str) -> None:
        self.model.spawn(work, name)  # owned: cancelled when the app model closes

    # -- the list ----------------------------------------------------------------------------

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self.request_refresh()

    def _on_state(self, event: core.StateChanged) -> None:
        # A session that ended is in the list now (its last turn was committed as it ended).
        if event.state is core.ConnectionState.ENDED and self.isVisible():
            self.request_refresh()

    def request_refresh(self) -> None:
        self._spawn(self.refresh(), "history-list")

    async def refresh(self) -> None:
        """The newest sessions, or the search's hits (best first) when the box has words."""
        self._generation += 1
        generation = self._generation
        text = self.search.text().strip()
        try:
            rows = await (self.reader.search(text) if text else self.reader.list_sessions())
        except HistoryError as exc:
            if generation == self._generation:
                self._show_problem(exc.user_message)
                self._fill([])
            return
        if generation != self._generation:
            return  # the user typed on: a newer answer is coming
        self._show_problem("")
        self._fill(rows)
        if text:
            self.count.setText(
                f"{len(rows)} found for “{text}”" if rows else f"Nothing found for “{text}”."
            )
        else:
            self.count.setText(
                f"{len(rows)} conversations" if rows else "No conversations kept yet."
            )

    def _fill(self, rows: list[ListedSession]) -> None:
        keep = self.current.session.id if self.current is not None else None
        self.rows = rows
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(self.list)
            widget = QtHistoryRow(row, self.list)
            item.setSizeHint(widget.sizeHint())
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.list.setItemWidget(item, widget)
        index = next((i for i, r in enumerate(rows) if r.id == keep), -1)
        self.list.setCurrentRow(index)
        self.list.blockSignals(False)
        self.listed.emit()

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setStyleSheet(_PROBLEM_STYLE if message else "")
        self.problem.setVisible(bool(message))

    def row_texts(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            widget = self.list.itemWidget(self.list.item(i))
            if isinstance(widget, QtHistoryRow):
                out.append(widget.plain_text())
        return out

    # -- one session -------------------------------------------------------------------------

    def _on_row_chosen(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self._spawn(self.open_session(self.rows[index].id), "history-open")

    async def open_session(self, session_id: int) -> SessionView | None:
        try:
            view = await self.reader.open_session(session_id)
        except HistoryError as exc:
            self._show_problem(exc.user_message)
            view = None
        self.current = view
        show_view(self.view, view)
        self._set_buttons()
        self.opened.emit()
        return view

    def _set_buttons(self) -> None:
        has = self.current is not None
        for button in (self.continue_button, self.export_button, self.delete_button):
            button.setEnabled(has)

    def request_continue(self) -> None:
        if self.current is not None:
            self._spawn(self.model.continue_session(self.current.session), "continue")

    # -- export ------------------------------------------------------------------------------

    def export_with_dialog(self) -> None:
        if self.current is None:
            return
        filters = ";;".join(_EXPORT_FILTERS[f] for f in EXPORT_FORMATS)
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export conversation", f"conversation-{self.current.session.id}.md", filters
        )
        if path:
            fmt = "json" if chosen == _EXPORT_FILTERS["json"] or path.endswith(".json") else "md"
            self._spawn(self.export_to(Path(path), fmt), "history-export")

    async def export_to(self, path: Path, fmt: str) -> Path | None:
        """Write the opened session to `path` as `fmt` (md or json), whole or not at all."""
        if self.current is None:
            return None
        try:
            written = await self.reader.export(self.current.session, fmt, path)
        except ExportFailed as exc:
            self._show_problem(exc.user_message)
            return None
        self._show_problem("")
        self.count.setText(f"Exported to {written}")
        return written

    # -- delete ------------------------------------------------------------------------------

    def ask_delete(self) -> QMessageBox | None:
        """A confirmation (not modal to the loop: qasync must keep running); Yes deletes."""
        if self.current is None:
            return None
        session = self.current.session
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete conversation",
            f"Delete “{session.title or 'this conversation'}” for good? Its words and "
            "pictures are erased from the history file.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("history_confirm_delete")
        box.finished.connect(lambda result: self._on_confirmed(box, session.id))
        self.confirm = box
        box.open()
        return box

    def _on_confirmed(self, box: QMessageBox, session_id: int) -> None:
        if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
            self._spawn(self.delete_session(session_id), "history-delete")
        self.confirm = None

    async def delete_session(self, session_id: int) -> bool:
        try:
            deleted = await self.reader.delete(session_id)
        except HistoryError as exc:
            self._show_problem(exc.user_message)
            return False
        if self.current is not None and self.current.session.id == session_id:
            self.current = None
            show_view(self.view, None)
            self._set_buttons()
        await self.refresh()
        return deleted
