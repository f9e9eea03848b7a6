"""The model's eye: the exact 28×28 input, enlarged with crisp pixels, and its range."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from .images import display_range, gray_image


class ModelEyeView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.pixels: np.ndarray | None = None
        self.setMinimumSize(QSize(112, 134))  # 4 screen px a pixel
        self.setToolTip("Exactly what the model receives: 28×28 values")

    def sizeHint(self) -> QSize:
        return QSize(196, 222)

    def show_input(self, pixels: np.ndarray | None) -> None:
        self.pixels = pixels
        self.update()

    def value_range(self) -> str:
        if self.pixels is None:
            return "no input"
        return f"values {self.pixels.min():.3g} … {self.pixels.max():.3g}"

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        text_h = 22
        side = min(self.width(), self.height() - text_h)
        square = QRectF((self.width() - side) / 2, 0, side, side)
        painter.fillRect(square, QColor(0, 0, 0))
        if self.pixels is not None:
            low, high = display_range(self.pixels)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(square, gray_image(self.pixels, low, high))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(
            QRectF(0, side, self.width(), text_h),
            Qt.AlignmentFlag.AlignCenter,
            self.value_range(),
        )
