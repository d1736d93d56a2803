"""What the History pane draws: a row of the list (thumbnail, date, title, snippet) and the
read-only transcript of an opened session with its thumbnails. No I/O here: the pane reads on
a worker thread (core/history_reader.py) and hands the results to these."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from liveview.core.history_reader import MATCH_MARKS, ListedSession, SessionView
from liveview.core.history_transcript import entry_from_turn
from liveview.ui.conversation import entry_html

ROW_THUMB_SIZE = QSize(96, 54)  # 16:9, like most screens and cameras
VIEW_THUMB_WIDTH_PX = 160  # the kept thumbnails' own size (encode/small_jpeg.py)
THUMB_SCHEME = "thumb"  # the view's images: thumb:<turn id>


def when_text(started_at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started_at))


def snippet_html(snippet: str) -> str:
    """The snippet escaped, its matched words in bold."""
    start, end = MATCH_MARKS
    return html.escape(snippet).replace(start, "<b>").replace(end, "</b>")


def thumb_pixmap(jpeg: bytes | None, size: QSize = ROW_THUMB_SIZE) -> QPixmap | None:
    if not jpeg:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(jpeg, "JPEG"):
        return None
    return pixmap.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class QtHistoryRow(QWidget):
    """One session in the list."""

    def __init__(self, row: ListedSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(ROW_THUMB_SIZE)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = thumb_pixmap(row.thumbnail)
        if pixmap is not None:
            self.thumb.setPixmap(pixmap)
        else:
            self.thumb.setText("no picture")
            self.thumb.setStyleSheet("color: palette(mid); border: 1px solid palette(mid)")
        title = html.escape(row.title or "(nothing said)")
        turns = f"{row.turns} turn{'s' if row.turns != 1 else ''}"
        about = f"<small>{when_text(row.started_at)} · {turns}</small>"
        text = f"<b>{title}</b><br>{about}"
        if row.snippet:
            text += f"<br><small>{snippet_html(row.snippet)}</small>"
        self.label = QLabel(text, self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.addWidget(self.label)
        column.addStretch(1)
        layout.addLayout(column, 1)

    def plain_text(self) -> str:
        doc = QTextDocument()
        doc.setHtml(self.label.text())
        return doc.toPlainText()


def view_html(view: SessionView) -> str:
    """The opened session: a header, then each turn as the panel shows it, the frame the
    model had at a user turn above what the user said."""
    session = view.session
    meta = session.meta
    about = [when_text(meta.started_at), meta.model, meta.backend, meta.source]
    if meta.profile:
        about.append(f"profile {meta.profile}")
    parts = [
        f"<h3 style='margin:2px 0'>{html.escape(session.title or '(nothing said)')}</h3>",
        f"<p style='margin:0 0 6px 0'><small>{html.escape(' · '.join(a for a in about if a))}"
        "</small></p>",
    ]
    for turn in session.turns:
        if turn.id in view.thumbnails:
            parts.append(
                f"<p style='margin:6px 0 0 12px'><img src='{THUMB_SCHEME}:{turn.id}' "
                f"width='{VIEW_THUMB_WIDTH_PX}'></p>"
            )
        parts.append(entry_html(entry_from_turn(turn.record)))
    return f"<html><body>{''.join(parts)}</body></html>"


def show_view(browser: QTextBrowser, view: SessionView | None) -> None:
    """Render `view` into `browser` (read-only), its thumbnails as the document's images."""
    document = browser.document()
    document.clear()
    if view is None:
        browser.clear()
        return
    for turn_id, jpeg in view.thumbnails.items():
        image = QImage.fromData(jpeg)
        if not image.isNull():
            document.addResource(
                QTextDocument.ResourceType.ImageResource,
                QUrl(f"{THUMB_SCHEME}:{turn_id}"),
                image,
            )
    browser.setHtml(view_html(view))
