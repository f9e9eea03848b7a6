"""Which pixels decided it: the model's input with the attribution over it.

A diverging colour map (blue: evidence against, red: evidence for), symmetric
about zero, with its legend; a switch for "against the runner-up". The view
shows plain data it is given; the work is done elsewhere, off the GUI thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

COLOURS = "CET-D1"  # blue – white – red, perceptually even
OPACITY = 0.75


class AttributionView(QWidget):
    contrastChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.map: np.ndarray | None = None
        self.contrast = QCheckBox("Against the runner-up")
        self.contrast.setToolTip(
            "Evidence for the digit read rather than for the second most likely"
        )
        self.contrast.toggled.connect(self.contrastChanged)
        self.title = QLabel("Draw a digit to see which pixels decided it")
        self.title.setWordWrap(True)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setBackground(None)
        self.plot.setMinimumSize(240, 150)
        box = self.plot.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.input_item = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setOpacity(OPACITY)
        box.addItem(self.input_item)
        box.addItem(self.heat)
        box.setRange(xRange=(0, 28), yRange=(0, 28), padding=0)
        self.legend = pg.ColorBarItem(
            values=(-1, 1), colorMap=pg.colormap.get(COLOURS), interactive=False,
            label="evidence (fall of log-probability)", width=12,
        )  # fmt: skip
        self.legend.setImageItem(self.heat, insert_in=None)
        self.plot.addItem(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.contrast)

    def show_attribution(self, found, model_input: np.ndarray) -> None:
        """An `Attribution` of `model_input` (28×28)."""
        self.map = found.map
        self.input_item.setImage(np.asarray(model_input, np.float32), autoLevels=True)
        self.input_item.setColorMap(pg.colormap.get("CET-L1"))
        self.input_item.setLevels((float(model_input.min()), float(model_input.max())))
        reach = float(np.abs(found.map).max()) or 1.0
        self.heat.setImage(found.map, autoLevels=False)
        self.legend.setLevels((-reach, reach))
        p = found.probabilities
        what = f"Evidence for {found.digit} ({p[found.digit]:.0%})"
        if found.against is not None:
            what += f" against {found.against} ({p[found.against]:.0%})"
        self.title.setText(f"{what}: red for, blue against")

    def show_message(self, text: str) -> None:
        """No attribution to show (nothing drawn, or the model failed)."""
        self.map = None
        self.input_item.clear()
        self.heat.clear()
        self.title.setText(text)
