"""A confusion matrix with counts: rows the true digit, columns the digit
read. The diagonal (read right) is green; a misread cell is red, the deeper
the more digits it holds. Clicking a misread cell emits `cellChosen`."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

RIGHT = QColor(198, 239, 206)
WRONG = QColor(220, 60, 60)


def _wrong_colour(count: int, most: int) -> QColor:
    """White for none, deeper red for more (on a log scale)."""
    strength = math.log1p(count) / math.log1p(max(most, 1))
    colour = QColor(255, 255, 255)
    alpha = 0.15 + 0.75 * strength
    return QColor(
        round(colour.red() * (1 - alpha) + WRONG.red() * alpha),
        round(colour.green() * (1 - alpha) + WRONG.green() * alpha),
        round(colour.blue() * (1 - alpha) + WRONG.blue() * alpha),
    )


class ConfusionView(QTableWidget):
    cellChosen = Signal(int, int)  # true digit, digit read

    def __init__(self, parent=None):
        super().__init__(10, 10, parent)
        self.confusion: list[list[int]] | None = None
        labels = [str(d) for d in range(10)]
        self.setHorizontalHeaderLabels(labels)
        self.setVerticalHeaderLabels(labels)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(34)
        self.setToolTip("Rows: the true digit; columns: the digit read. "
                        "Click a red cell to see those digits.")  # fmt: skip
        self.cellClicked.connect(self._clicked)

    def show_confusion(self, confusion: list[list[int]] | None) -> None:
        self.confusion = confusion
        self.clearContents()
        if confusion is None:
            return
        most = max(
            (confusion[t][r] for t in range(10) for r in range(10) if t != r),
            default=0,
        )
        for true in range(10):
            for read in range(10):
                count = confusion[true][read]
                item = QTableWidgetItem(f"{count:,}" if count or true == read else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if true == read:
                    item.setBackground(QBrush(RIGHT))
                    item.setToolTip(f"{count:,} {true}s read right")
                elif count:
                    item.setBackground(QBrush(_wrong_colour(count, most)))
                    item.setToolTip(f"{count:,} {true}s read as {read}: click to see")
                self.setItem(true, read, item)

    def _clicked(self, true: int, read: int) -> None:
        if self.confusion is not None and true != read:
            self.cellChosen.emit(true, read)
