"""Live training curves with pyqtgraph: loss and accuracy, training against
validation. One `PlotDataItem` per curve; each progress record appends a point
and calls `setData`, the plots are never rebuilt."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ..training.config import Progress

TRAIN = (30, 136, 229)
VALIDATION = (229, 57, 53)


class CurvesView(QWidget):
    """Two plots (loss, accuracy); x is epochs, fractional for step reports."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(QSize(460, 200))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.points: dict[str, tuple[list[float], list[float]]] = {}
        for title in ("loss", "accuracy"):
            plot = pg.PlotWidget(background=None)
            plot.setTitle(title)
            plot.setLabel("bottom", "epochs")
            plot.addLegend(offset=(-10, 10) if title == "loss" else (-10, -10))
            plot.showGrid(x=True, y=True, alpha=0.2)
            layout.addWidget(plot)
            for kind, color in (("train", TRAIN), ("validation", VALIDATION)):
                key = f"{kind} {title}"
                self.curves[key] = plot.plot(
                    [], [], pen=pg.mkPen(color, width=2), name=kind,
                    symbol=None if kind == "train" else "o", symbolSize=5,
                    symbolBrush=color, symbolPen=None,
                )  # fmt: skip
        self.clear()

    def clear(self) -> None:
        self.points = {key: ([], []) for key in self.curves}
        for curve in self.curves.values():
            curve.setData([], [])

    def add(self, p: Progress) -> None:
        """One progress record from training."""
        x = p.epoch - 1 + p.step / max(1, p.steps)
        if p.phase == "step":
            self._append("train loss", x, p.train_loss)
            self._append("train accuracy", x, p.train_accuracy)
        elif p.phase == "epoch" and p.val_loss is not None:
            self._append("validation loss", x, p.val_loss)
            self._append("validation accuracy", x, p.val_accuracy)

    def data(self, key: str) -> tuple[list[float], list[float]]:
        """The (x, y) points of one curve, e.g. "validation accuracy"."""
        return self.points[key]

    def _append(self, key: str, x: float, y: float) -> None:
        xs, ys = self.points[key]
        xs.append(x)
        ys.append(y)
        self.curves[key].setData(xs, ys)
