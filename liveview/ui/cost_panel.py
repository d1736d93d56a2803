"""The cost panel: what this session has used so far, opened from the status bar.

Tokens per minute by modality, in and out (from usageMetadata, core/cost.py), the frames sent
and those change detection skipped, an estimated price per hour from the catalogue's dated
price, and the session budget. Every price is labelled as an estimate, with its date and source.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from liveview.core.bus import EventBus
from liveview.core.cost import CostSnapshot, Modality, Way, parse_budget
from liveview.core.events import CostUpdated
from liveview.encode import VideoCounters
from liveview.errors import ConfigError

NO_PRICE = "No price is known for this model (the local server is free)."


def price_note(snapshot: CostSnapshot) -> str:
    price = snapshot.price
    if price is None:
        return NO_PRICE
    return (
        f"An estimate: ${price.text_in:.2f} per million tokens in, ${price.text_out:.2f} out, "
        f"read {price.as_of} from {price.source}. Your bill is what counts."
    )


class QtCostPanel(QDialog):
    """A small window; its figures follow the bus. `budget_changed(text, pauses_video)`."""

    budget_changed = Signal(str, bool)

    def __init__(
        self,
        bus: EventBus,
        frames: Callable[[], VideoCounters | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cost_panel")
        self.setWindowTitle("Session cost")
        self._frames = frames
        self.snapshot: CostSnapshot | None = None
        self.rates: dict[tuple[Way, Modality], QLabel] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>tokens/min</b>", self), 0, 0)
        for column, way in enumerate(Way, start=1):
            header = QLabel(f"<b>{way.value}</b>", self)
            header.setAlignment(Qt.AlignmentFlag.AlignRight)  # over its numbers
            grid.addWidget(header, 0, column)
        for row, modality in enumerate(Modality, start=1):
            grid.addWidget(QLabel(modality.value.lower(), self), row, 0)
            for column, way in enumerate(Way, start=1):
                label = QLabel("0", self)
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.rates[way, modality] = label
                grid.addWidget(label, row, column)
        usage = QGroupBox("This session", self)
        usage.setLayout(grid)
        self.total = QLabel("0 tokens", self)
        self.frames = QLabel("0 sent, 0 skipped", self)
        self.estimate = QLabel("–", self)
        self.note = QLabel(NO_PRICE, self)
        self.note.setWordWrap(True)
        self.note.setObjectName("price_note")
        self.budget = QLineEdit(self)
        self.budget.setPlaceholderText("none (50000 or $0.50)")
        self.budget.setToolTip("Per session: tokens (50000) or estimated dollars ($0.50)")
        self.pause_video = QCheckBox("Pause video when it is reached", self)
        self.budget_problem = QLabel("", self)
        self.budget_problem.setStyleSheet("color:#c0392b")
        form = QFormLayout()
        form.addRow("Total:", self.total)
        form.addRow("Frames:", self.frames)
        form.addRow("Estimated:", self.estimate)
        form.addRow("Budget:", self.budget)
        form.addRow("", self.pause_video)
        form.addRow("", self.budget_problem)
        layout = QVBoxLayout(self)
        layout.addWidget(usage)
        layout.addLayout(form)
        layout.addWidget(self.note)
        self.budget.editingFinished.connect(self._on_budget_edited)
        self.pause_video.toggled.connect(lambda _: self._on_budget_edited())
        bus.on(CostUpdated, lambda e: self.show_snapshot(e.snapshot))

    def set_budget(self, text: str, pauses_video: bool) -> None:
        self.budget.setText(text)
        self.pause_video.setChecked(pauses_video)

    def _on_budget_edited(self) -> None:
        text = self.budget.text().strip()
        try:
            parse_budget(text)
        except ConfigError as exc:
            self.budget_problem.setText(exc.user_message)
            return
        self.budget_problem.setText("")
        self.budget_changed.emit(text, self.pause_video.isChecked())

    def show_snapshot(self, snapshot: CostSnapshot) -> None:
        self.snapshot = snapshot
        for key, label in self.rates.items():
            label.setText(f"{snapshot.per_minute(*key):,.0f}")
        self.total.setText(f"{snapshot.total_tokens:,} tokens in {snapshot.reports} reports")
        if snapshot.estimated_usd is None:
            self.estimate.setText("–")
        else:
            per_hour = snapshot.usd_per_hour
            rate = f" (about ${per_hour:.2f} per hour)" if per_hour is not None else ""
            self.estimate.setText(f"≈ ${snapshot.estimated_usd:.4f}{rate}")
        self.note.setText(price_note(snapshot))
        self.refresh_frames()

    def refresh_frames(self) -> None:
        counters = self._frames()
        if counters is not None:
            self.frames.setText(
                f"{counters.sent} sent, {counters.skipped_unchanged} skipped (unchanged)"
            )
