"""Live training curves: loss and accuracy, training against validation."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

TRAIN = QColor(30, 136, 229)
VALIDATION = QColor(229, 57, 53)


class CurvesView(QWidget):
    """Two panels (loss, accuracy); x is epochs, fractional for step reports."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(QSize(460, 200))
        self.clear()

    def clear(self) -> None:
        self.train_loss: list[tuple[float, float]] = []
        self.train_acc: list[tuple[float, float]] = []
        self.val_loss: list[tuple[float, float]] = []
        self.val_acc: list[tuple[float, float]] = []
        self.epochs = 1
        self.update()

    def add(self, p: dict) -> None:
        """One progress line from training (see training.Progress)."""
        self.epochs = max(1, int(p["epochs"]))
        x = p["epoch"] - 1 + p["step"] / max(1, p["steps"])
        if p["phase"] == "step":
            self.train_loss.append((x, p["train_loss"]))
            self.train_acc.append((x, p["train_accuracy"]))
        elif p["phase"] == "epoch" and p.get("val_loss") is not None:
            self.val_loss.append((x, p["val_loss"]))
            self.val_acc.append((x, p["val_accuracy"]))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        half = self.width() / 2
        self._panel(
            painter,
            QRectF(0, 0, half - 6, self.height()),
            "loss",
            self.train_loss,
            self.val_loss,
        )
        self._panel(
            painter,
            QRectF(half + 6, 0, half - 6, self.height()),
            "accuracy",
            self.train_acc,
            self.val_acc,
        )

    def _panel(self, painter, rect: QRectF, title, train, val) -> None:
        text = self.palette().color(QPalette.ColorRole.WindowText)
        plot = rect.adjusted(44, 22, -6, -20)
        painter.setPen(QPen(text.lighter(160) if text.lightness() < 128 else text, 1))
        painter.drawRect(plot)
        values = [v for _, v in train + val]
        if title == "accuracy" and values:
            low, high = min(values), 1.0
        else:
            low, high = 0.0, max(values, default=1.0)
        if high - low < 1e-6:
            low, high = low - 0.5, high + 0.5
        painter.setPen(text)
        painter.drawText(
            QRectF(rect.left(), 0, rect.width(), 20),
            Qt.AlignmentFlag.AlignCenter,
            title,
        )
        for value, y in ((high, plot.top()), (low, plot.bottom())):
            painter.drawText(
                QRectF(rect.left(), y - 8, 42, 16),
                Qt.AlignmentFlag.AlignRight,
                f"{value:.3g}",
            )
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16),
            Qt.AlignmentFlag.AlignCenter,
            f"epochs (0–{self.epochs})",
        )

        def point(x, v):
            return QPointF(
                plot.left() + plot.width() * x / self.epochs,
                plot.bottom() - plot.height() * (v - low) / (high - low),
            )

        for series, color, label, dy in (
            (train, TRAIN, "train", 0),
            (val, VALIDATION, "validation", 14),
        ):
            painter.setPen(QPen(color, 2))
            if len(series) > 1:
                painter.drawPolyline(QPolygonF([point(x, v) for x, v in series]))
            for x, v in series[-1:] if color == TRAIN else series:
                painter.drawEllipse(point(x, v), 2.5, 2.5)
            painter.drawText(
                QRectF(plot.right() - 90, plot.top() + 2 + dy, 86, 14),
                Qt.AlignmentFlag.AlignRight,
                label,
            )
