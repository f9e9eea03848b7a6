"""What-if sliders, the live answer and a sweep of the ten probabilities.

Moving a slider emits the probes (the window asks for the answer off the GUI
thread); releasing one asks for a sweep of that probe's whole range, drawn
with one curve per digit, so the value where the answer flips is visible.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ..diagnosis.probes import RANGES, Probes
from .images import display_range, gray_image

PROBED = 56  # the probed input's thumbnail, 2 screen px a pixel


# Ten colours told apart at a glance (matplotlib's tab10): the hues of
# pyqtgraph's intColor made 3/4, 6/7 and 8/9 look alike.
DIGIT_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip


class _FixedPlot(pg.PlotWidget):
    """A plot the pointer cannot move: the sweep is always shown whole, and
    the wheel scrolls the dock (it zoomed the plot away; over the axes,
    pyqtgraph takes the wheel even with the mouse off)."""

    def wheelEvent(self, event) -> None:
        event.ignore()


class ProbePanel(QWidget):
    probesChanged = Signal(object)  # Probes
    sweepWanted = Signal(str)  # a probe's name
    applyClicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        self.size_touched = False
        self.swept = "rotation"
        grid = QGridLayout()
        for row, bounds in enumerate(RANGES.values()):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, bounds.steps)
            slider.setObjectName(bounds.name)
            slider.valueChanged.connect(lambda _=0, n=bounds.name: self._moved(n))
            slider.sliderReleased.connect(lambda n=bounds.name: self._released(n))
            grid.addWidget(QLabel(bounds.label), row, 0)
            grid.addWidget(slider, row, 1)
            self.values[bounds.name] = QLabel()
            self.values[bounds.name].setMinimumWidth(120)
            grid.addWidget(self.values[bounds.name], row, 2)
            self.sliders[bounds.name] = slider
        self.answer = QLabel("Draw a digit, then move a slider")
        self.probed = QLabel()  # the probed input, as the model got it
        self.probed.setFixedSize(PROBED, PROBED)
        self.probed.setToolTip("The changed drawing, as the model reads it")
        apply, reset = QPushButton("Apply to the drawing"), QPushButton("Reset")
        apply.setToolTip("Put the probed drawing on the canvas (Undo restores it)")
        apply.clicked.connect(self.applyClicked)
        reset.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.probed)
        buttons.addWidget(self.answer, 1)
        buttons.addWidget(reset)
        buttons.addWidget(apply)
        self.plot = _FixedPlot(background=None)
        self.plot.setMinimumSize(300, 120)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1)
        self.plot.setLabel("left", "probability")
        text = self.palette().color(self.foregroundRole()).name()
        self.plot.addLegend(
            offset=(-5, 5), colCount=5, labelTextSize="10pt", labelTextColor=text
        )
        self.curves = [
            self.plot.plot([], [], pen=pg.mkPen(DIGIT_COLOURS[d], width=2), name=str(d))
            for d in range(10)
        ]
        self.marker = pg.InfiniteLine(
            angle=90, pen=pg.mkPen("k", style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.marker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.plot, 1)
        self.reset()

    def value(self, name: str) -> float:
        bounds = RANGES[name]
        return round(bounds.low + bounds.step * self.sliders[name].value(), 6)

    def probes(self) -> Probes:
        values = {name: self.value(name) for name in RANGES}
        if not self.size_touched:
            values["size"] = None
        return Probes(**values)

    def set_slider(self, name: str, value: float) -> None:
        """Move a slider without emitting (the source's own size, a reset)."""
        bounds = RANGES[name]
        position = round((value - bounds.low) / bounds.step)
        slider = self.sliders[name]
        slider.blockSignals(True)
        slider.setValue(min(max(position, 0), bounds.steps))
        slider.blockSignals(False)
        self._show_value(name)

    def show_source_size(self, size: float | None) -> None:
        """The drawing's own size, shown on the size slider until it is moved."""
        if not self.size_touched and size is not None:
            self.set_slider("size", min(max(size, RANGES["size"].low), 100.0))

    def reset(self) -> None:
        self.size_touched = False
        for name, bounds in RANGES.items():
            if bounds.neutral is not None:
                self.set_slider(name, bounds.neutral)
        self.marker.setValue(self.value(self.swept))  # it stayed where it was
        self.probesChanged.emit(self.probes())

    def show_answer(
        self, probabilities: np.ndarray | None, note: str = "", seen=None
    ) -> None:
        """`seen`: the probed drawing as the model's 28×28 input."""
        if seen is None:
            self.probed.clear()
        else:
            low, high = display_range(seen)
            image = QPixmap.fromImage(gray_image(seen, low, high))
            self.probed.setPixmap(image.scaled(PROBED, PROBED))
        if probabilities is None:
            self.answer.setText(note or "Nothing left to read")
            return
        digit = int(np.argmax(probabilities))
        self.answer.setText(f"Probed: reads {digit} ({probabilities[digit]:.0%})")

    def show_sweep(
        self, name: str, values: np.ndarray, probabilities: np.ndarray
    ) -> None:
        bounds = RANGES[name]
        self.swept = name
        for digit, curve in enumerate(self.curves):
            curve.setData(values, probabilities[:, digit])
        self.plot.setXRange(bounds.low, bounds.high, padding=0.02)
        self.plot.setTitle(None)
        self.plot.setLabel("bottom", f"{bounds.label} {bounds.unit}".strip())
        self.marker.setValue(self.value(name))

    def show_sweep_message(self, text: str) -> None:
        for curve in self.curves:
            curve.setData([], [])
        self.plot.setTitle(text, size="8pt")

    def _show_value(self, name: str) -> None:
        bounds = RANGES[name]
        value = self.value(name)
        if name in ("rotation", "shift_x", "shift_y"):
            text = f"{value:+.0f}"
        elif name == "size":  # whole percents: .2g wrote 100 as "1e+02"
            text = f"{value:.0f}"
        else:
            text = f"{value:.2g}"
        drawn = " (as drawn)" if name == "size" and not self.size_touched else ""
        self.values[name].setText(f"{text} {bounds.unit}".strip() + drawn)

    def _moved(self, name: str) -> None:
        self.size_touched |= name == "size"
        self._show_value(name)
        if name == self.swept:
            self.marker.setValue(self.value(name))
        self.probesChanged.emit(self.probes())
        if not self.sliders[name].isSliderDown():  # keys, wheel: no release
            self.sweepWanted.emit(name)

    def _released(self, name: str) -> None:
        self.sweepWanted.emit(name)
