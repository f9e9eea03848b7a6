"""Thumbnails of misread digits: the model's input, the digit read with its
probability and the right digit's. Clicking one emits `itemChosen(index)`, the
item's position in its data set."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from .images import display_range, gray_image

THUMB = 56  # pixels: 28×28 at twice the size
MOST = 500  # thumbnails shown at once (the most confident first)


def _percent(p: float) -> str:
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}"


def misreading_items(readings, found) -> list[tuple[int, np.ndarray, str, str]]:
    """What `show_items` takes, for misreadings (`diagnosis.evaluate.Misreading`)
    of `readings`: under each, the digit read and its probability, then the
    right digit's."""
    items = []
    for e in found:
        right = readings.probability(e.index, e.label)
        read = "nothing" if e.predicted < 0 else f"{e.predicted}"
        caption = f"{read}: {_percent(e.confidence)}\n{e.label}: {_percent(right)}"
        tip = (f"Item {e.index} of {readings.dataset.title}: a {e.label} read as "
               f"{read} ({e.confidence:.1%}; {e.label}: {right:.1%}). "
               "Click to open it on the canvas.")  # fmt: skip
        items.append((e.index, readings.inputs[e.index], caption, tip))
    return items


def thumbnail(pixels: np.ndarray) -> QIcon:
    low, high = display_range(pixels)
    image = gray_image(pixels, low, high).scaled(
        THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )  # fmt: skip
    return QIcon(QPixmap.fromImage(image))


class MisreadingGallery(QListWidget):
    itemChosen = Signal(int)  # the item's index in its data set

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 44, THUMB + 44))
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setMovement(QListWidget.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.itemClicked.connect(
            lambda item: self.itemChosen.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def show_items(self, items: list[tuple[int, np.ndarray, str, str]]) -> None:
        """(index, model input, caption, tooltip) for each, in order."""
        self.clear()
        for index, pixels, caption, tip in items[:MOST]:
            item = QListWidgetItem(thumbnail(pixels), caption)
            item.setData(Qt.ItemDataRole.UserRole, int(index))
            item.setToolTip(tip)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
