"""The side panel: the conversation as it streams, a text box, copy and export."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from liveview.core.transcript import ROLE_LABELS, Entry, Role, Transcript
from liveview.ui.export import ExportFailed, export_conversation, snapshot

RENDER_INTERVAL_MS = 60  # streaming tokens are coalesced: at most ~16 re-renders a second
BOTTOM_SLACK_PX = 8  # "at the bottom" tolerance for auto-scroll

# Hues readable on both light and dark palettes.
_COLOURS = {
    Role.USER_SPEECH: "#2e86de",
    Role.USER_TEXT: "#2e86de",
    Role.MODEL: "#16a085",
    Role.CODE: "#8e44ad",
    Role.CODE_RESULT: "#8e44ad",
    Role.TOOL: "#d35400",
    Role.NOTICE: "#7f8c8d",
}
_NOTICE_COLOURS = {"warning": "#e67e22", "error": "#e74c3c"}


def entry_html(entry: Entry) -> str:
    colour = _COLOURS[entry.role]
    if entry.role is Role.NOTICE:
        colour = _NOTICE_COLOURS.get(entry.meta.get("level", ""), colour)
    label = ROLE_LABELS[entry.role]
    if entry.meta.get("queued"):
        label += " (sent once connected)"
    parts = [f'<p style="margin:6px 0 2px 0"><b style="color:{colour}">{label}</b></p>']
    body = html.escape(entry.text)
    if entry.role in (Role.CODE, Role.CODE_RESULT):
        note = entry.meta.get("language") or entry.meta.get("outcome") or ""
        header = f"<small>{html.escape(note)}</small><br>" if note else ""
        parts.append(f"{header}<pre style='margin:2px 0 2px 12px'>{body}</pre>")
    elif entry.role is Role.TOOL:
        answer = entry.meta.get("answer")
        result = f"<br>→ {html.escape(answer)}" if answer else " <i>(running…)</i>"
        parts.append(f"<p style='margin:0 0 0 12px'><code>{body}</code>{result}</p>")
    else:
        body = body.replace("\n", "<br>") or "…"
        cursor = " ▍" if entry.open and entry.role is Role.MODEL else ""
        parts.append(f"<p style='margin:0 0 0 12px'>{body}{cursor}</p>")
    if entry.interrupted:
        # 0 ms heard means nothing was playing yet (or a text reply): say just "cut off".
        heard = f" after {entry.heard_ms / 1000:.1f} s heard" if entry.heard_ms else ""
        parts.append(
            f"<p style='margin:0 0 0 12px; color:#e74c3c'><i>■ cut off by you{heard}</i></p>"
        )
    for title, uri in entry.sources:
        safe_uri = html.escape(uri, quote=True)
        parts.append(
            f"<p style='margin:0 0 0 24px'>↗ <a href=\"{safe_uri}\">{html.escape(title)}</a></p>"
        )
    suggestions = entry.meta.get("search_entry_point")
    if suggestions:
        # Google Search's own suggestions, rendered as the service delivered them (its terms
        # require showing them unchanged). QTextBrowser runs no scripts; links open outside.
        parts.append(
            "<table style='margin:4px 0 4px 24px' cellpadding='4' border='1'><tr><td>"
            f"<small>Google Search suggestions</small><br>{suggestions}</td></tr></table>"
        )
    return "".join(parts)


class QtConversationPanel(QWidget):
    """Renders a Transcript; emits `text_submitted` when the user presses Enter."""

    text_submitted = Signal(str)

    def __init__(self, transcript: Transcript, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.follow = True  # auto-scroll; off once the user scrolls up
        self._dirty = False
        self._rendering = False
        self._export_task: asyncio.Task[None] | None = None
        self.view = QTextBrowser(self)
        self.view.setOpenExternalLinks(True)
        self.view.setObjectName("conversation")
        self.view.setPlaceholderText("The conversation appears here.")
        self.input = QLineEdit(self)
        self.input.setPlaceholderText("Type a message and press Enter…")
        self.input.setObjectName("message")
        self.send_button = QPushButton("Send", self)
        self.copy_button = QPushButton("Copy", self)
        self.export_button = QPushButton("Export…", self)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color:#e74c3c")
        self.error_label.hide()
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._layout()
        self._render_timer.timeout.connect(self._on_render_due)
        self.input.returnPressed.connect(self._on_submit)
        self.send_button.clicked.connect(self._on_submit)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.export_button.clicked.connect(self.export_with_dialog)
        self.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        transcript.subscribe(self._on_entry_changed)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<b>Conversation</b>", self))
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        entry = QHBoxLayout()
        entry.addWidget(self.input, 1)
        entry.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(entry)

    # -- model -> view ---------------------------------------------------------------------

    def _on_entry_changed(self, index: int) -> None:
        self._dirty = True
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _on_render_due(self) -> None:
        self.render_now()

    def render_now(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        bar = self.view.verticalScrollBar()
        keep = bar.value()
        self._rendering = True
        try:
            body = "".join(entry_html(e) for e in self.transcript.entries)
            self.view.setHtml(f"<html><body>{body}</body></html>")
            bar.setValue(bar.maximum() if self.follow else keep)
        finally:
            self._rendering = False

    def plain_text(self) -> str:
        self.render_now()
        return self.view.toPlainText()

    def _on_scrolled(self, value: int) -> None:
        if self._rendering:
            return
        bar = self.view.verticalScrollBar()
        self.follow = value >= bar.maximum() - BOTTOM_SLACK_PX

    # -- user actions ----------------------------------------------------------------------

    def _on_submit(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        self.input.clear()
        self.follow = True  # sending means the user wants to see the answer
        self.text_submitted.emit(text)

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.transcript.to_markdown())

    def export_with_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export conversation", "conversation.md", "Markdown + JSON (*.md)"
        )
        if path:
            self.start_export(Path(path))

    def start_export(self, base: Path) -> asyncio.Task[None]:
        """Write base.md and base.json on a worker thread; errors show under the conversation."""
        self._export_task = asyncio.ensure_future(self.export(base))
        return self._export_task

    async def export(self, base: Path) -> tuple[Path, Path] | None:
        markdown, as_json = snapshot(self.transcript)
        self.export_button.setEnabled(False)
        try:
            written = await asyncio.to_thread(export_conversation, markdown, as_json, base)
        except ExportFailed as exc:
            self.show_error(exc.user_message)
            return None
        finally:
            self.export_button.setEnabled(True)
        self.show_error("")
        return written

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
