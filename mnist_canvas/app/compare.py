"""Every model's probabilities for the current drawing, side by side."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QWidget

ROW = 30
NAME_W = 110


class CompareView(QWidget):
    """Rows: models; columns: digits 0–9, shaded by probability; top digit ringed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, np.ndarray | None, str]] = []
        self._name_w = NAME_W
        self.setMinimumSize(QSize(NAME_W + 10 * 34 + 60, ROW * 5 + 8))

    def name_width(self) -> int:
        """The names' column: as wide as the longest name (none is cut)."""
        return self._name_w

    def show_rows(self, rows: list[tuple[str, np.ndarray | None, str]]) -> None:
        """(model name, probabilities or None, note) for each model."""
        names = {name for name, _, _ in rows} - {name for name, _, _ in self.rows}
        self.rows = rows
        if names:  # new names: maybe a longer one (measured only then)
            metrics = self.fontMetrics()
            widest = max(metrics.horizontalAdvance(n) for n, _, _ in rows)
            self._name_w = max(NAME_W, widest + 12)
            self.setMinimumWidth(self._name_w + 10 * 24 + 60)
        self.setMinimumHeight(ROW * (len(rows) + 1) + 8)
        self.update()

    def show_results(
        self, entries, predictions: dict, errors: dict, problem: str | None = None
    ) -> None:
        """One row per catalogue entry, with its prediction or why there is
        none (`problem`: the drawing cannot be read, by any model)."""
        rows = []
        for entry in entries:
            p = predictions.get(entry.name)
            note = (errors.get(entry.name) or entry.problem or problem
                    or "empty drawing")  # fmt: skip
            rows.append((entry.name, None if p is None else p.probabilities, note))
        self.show_rows(rows)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        name_w = self._name_w
        cell = (self.width() - name_w - 60) / 10
        painter.setPen(text)
        for d in range(10):
            painter.drawText(
                QRectF(name_w + d * cell, 0, cell, ROW),
                Qt.AlignmentFlag.AlignCenter,
                str(d),
            )
        bold = QFont(self.font())
        bold.setBold(True)
        for i, (name, p, note) in enumerate(self.rows):
            y = ROW * (i + 1)
            painter.setPen(text)
            painter.setFont(self.font())
            painter.drawText(
                QRectF(4, y, name_w - 8, ROW), Qt.AlignmentFlag.AlignVCenter, name
            )
            if p is None:
                painter.drawText(
                    QRectF(name_w, y, cell * 10 + 60, ROW),
                    Qt.AlignmentFlag.AlignVCenter,
                    note or "—",
                )
                continue
            top = int(np.argmax(p))
            for d in range(10):
                rect = QRectF(name_w + d * cell + 2, y + 3, cell - 4, ROW - 6)
                painter.setPen(Qt.PenStyle.NoPen)
                alpha = int(25 + 230 * float(p[d]))
                painter.setBrush(QColor(46, 125, 50, alpha))
                painter.drawRoundedRect(rect, 3, 3)
                if d == top:
                    painter.setPen(text)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(text)
            painter.setFont(bold)
            painter.drawText(
                QRectF(name_w + 10 * cell, y, 60, ROW),
                Qt.AlignmentFlag.AlignCenter,
                f"{top} {p[top]:.0%}",
            )
