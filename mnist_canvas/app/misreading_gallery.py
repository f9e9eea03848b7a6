"""Thumbnails of misread digits: the model's input, the digit read with its
probability and the right digit's. Clicking one emits `itemChosen(index)`, the
item's position in its data set."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView

from .images import display_range, gray_image

THUMB = 56  # pixels: 28×28 at twice the size
INDEX = Qt.ItemDataRole.UserRole  # an item's index in its data set


def _percent(p: float) -> str:
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}"


def misreading_items(readings, found) -> list[tuple[int, np.ndarray, str, str]]:
    """What `show_items` takes, for misreadings (`diagnosis.accuracy.Misreading`)
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


class MisreadingsModel(QAbstractListModel):
    """The items as the gallery shows them. A thumbnail is made when the view
    first paints its row, so a cell of thousands costs only the rows in sight
    and every one of them can be shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[tuple[int, np.ndarray, str, str]] = []
        self._icons: dict[int, QIcon] = {}  # row → its thumbnail

    def set_items(self, items: list[tuple[int, np.ndarray, str, str]]) -> None:
        self.beginResetModel()
        self.items, self._icons = list(items), {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self.items)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.items):
            return None
        row = index.row()
        place, pixels, caption, tip = self.items[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return caption
        if role == Qt.ItemDataRole.DecorationRole:
            if row not in self._icons:
                self._icons[row] = thumbnail(pixels)
            return self._icons[row]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignHCenter
        if role == INDEX:
            return int(place)
        return None


class MisreadingGallery(QListView):
    itemChosen = Signal(int)  # the item's index in its data set

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setModel(MisreadingsModel(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 44, THUMB + 44))
        self.setUniformItemSizes(True)  # sized by one: none drawn unseen
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.clicked.connect(lambda index: self.itemChosen.emit(index.data(INDEX)))

    def show_items(self, items: list[tuple[int, np.ndarray, str, str]]) -> None:
        """(index, model input, caption, tooltip) for each, in order: all of
        them, their thumbnails made as they come into view."""
        self.model().set_items(items)
        self.scrollToTop()

    def clear(self) -> None:
        self.model().set_items([])

    def count(self) -> int:
        return self.model().rowCount()
