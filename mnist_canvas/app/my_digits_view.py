"""The "My digits" dock: my labelled drawings as thumbnails by class, the
buttons that change the collection, and how each model reads me."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..data.strokes import LabelledDrawing
from ..ink.raster import render
from .digit_accuracy import Score
from .images import gray_image

THUMB = 56  # pixels per side
INDEX = Qt.ItemDataRole.UserRole


def thumbnail_image(drawing) -> QImage:
    """A digit's thumbnail, drawn on any thread (images, unlike pixmaps, may
    be: 8,000 of them take 1.7 s, which the worker spends, not the GUI)."""
    return gray_image(render(drawing, (THUMB, THUMB)), 0.0, 255.0)


def drawn_thumbnails(drawings) -> dict:
    """{id(drawing): (drawing, thumbnail image)}, drawn on the calling thread
    (a worker's), for `MyDigitsView.add_thumbnails`."""
    return {id(d): (d, thumbnail_image(d)) for d in drawings}


class MyDigitsView(QWidget):
    """Shows a collection and the scores; the feature connects the buttons."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # By id(drawing), each with its drawing: held, so no other drawing can
        # take its id while its thumbnail is kept.
        self._icons: dict[int, tuple[object, QIcon]] = {}
        self.shown: list[LabelledDrawing] = []  # what the list shows, in order
        self._drawn: dict[int, tuple[object, QImage]] = {}  # drawn on a worker
        self.show_class = QComboBox()
        self.show_class.addItems(["All digits", *(f"Only {d}s" for d in range(10))])
        self.digits = QListWidget()
        self.digits.setViewMode(QListWidget.ViewMode.IconMode)
        self.digits.setIconSize(QSize(THUMB, THUMB))
        self.digits.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.digits.setMovement(QListWidget.Movement.Static)
        self.digits.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.digits.setToolTip("Double-click a digit to open it on the canvas")
        self.open_button = QPushButton("Open on Canvas")
        self.relabel_button = QPushButton("Relabel…")
        self.delete_button = QPushButton("Delete")
        self.import_button = QPushButton("Import…")
        self.export_button = QPushButton("Export…")
        self.personalise_button = QPushButton("Personalise…")
        self.personalise_button.setToolTip(
            "Fine-tune the current model on these digits, in the background"
        )
        self.count = QLabel()
        self.scores = QTableWidget(0, 12)
        self.scores.setHorizontalHeaderLabels(["all", *map(str, range(10)), "n"])
        self.scores.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.setMinimumHeight(170)  # the shipped models' rows, at least
        self.scores.setToolTip(
            "Accuracy on every digit kept here. A personalised model learned from "
            "most of them: its honest figure is the one on held-back digits, "
            "shown below after personalising."
        )
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._lay_out()
        self.show_class.currentIndexChanged.connect(self._filter)
        self.digits.itemSelectionChanged.connect(self._selection_changed)
        self.show_digits([])

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.show_class)
        top.addWidget(self.count, 1)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.relabel_button, self.delete_button,
                       self.import_button, self.export_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.digits, 1)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(QLabel("How each model reads my digits (accuracy)"))
        right.addWidget(self.scores, 1)
        right.addWidget(self.personalise_button)
        right.addWidget(self.result)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def missing(self, digits: list[LabelledDrawing]) -> list:
        """The drawings of `digits` that have no thumbnail yet."""
        return [d.drawing for d in digits if self._held(d.drawing) is None]

    def add_thumbnails(self, drawn: dict) -> None:
        """Thumbnails a worker drew (`drawn_thumbnails`), used when their
        digits are shown next."""
        self._drawn.update(drawn)

    def _held(self, drawing):
        for kept in (self._icons, self._drawn):
            held = kept.get(id(drawing))
            if held is not None and held[0] is drawing:
                return held
        return None

    def _icon(self, drawing) -> tuple[object, QIcon]:
        held = self._held(drawing)
        if held is None:
            return drawing, QIcon(QPixmap.fromImage(thumbnail_image(drawing)))
        if isinstance(held[1], QIcon):
            return held
        return drawing, QIcon(QPixmap.fromImage(held[1]))

    def show_digits(self, digits: list[LabelledDrawing]) -> None:
        """Thumbnails sorted by class (then in the order added)."""
        self.shown = list(digits)
        self._icons = {id(d.drawing): self._icon(d.drawing) for d in digits}
        self._drawn.clear()
        self.digits.clear()
        order = sorted(range(len(digits)), key=lambda i: (digits[i].label, i))
        for index in order:
            digit = digits[index]
            icon = self._icons[id(digit.drawing)][1]
            item = QListWidgetItem(icon, str(digit.label))
            item.setData(INDEX, index)
            item.setToolTip(f"A {digit.label}, digit {index + 1} of {len(digits)}")
            self.digits.addItem(item)
        counts = [sum(d.label == c for d in digits) for c in range(10)]
        self.count.setText(
            f"{len(digits)} digits.   "
            + "   ".join(f"{c}: {n}" for c, n in enumerate(counts))
            if digits
            else "No digits yet: draw one and press its key (0–9)"
        )
        self._filter()
        self._selection_changed()

    def selected(self) -> list[LabelledDrawing]:
        """The selected digits, in the order added (shown ones only: a
        filtered-out digit is never acted on). They are the digits as last
        shown: the collection may have changed since."""
        items = self.digits.selectedItems()
        places = sorted(item.data(INDEX) for item in items if not item.isHidden())
        return [self.shown[i] for i in places]

    def _filter(self) -> None:
        wanted = self.show_class.currentIndex() - 1  # -1: all
        for row in range(self.digits.count()):
            item = self.digits.item(row)
            hidden = wanted >= 0 and item.text() != str(wanted)
            item.setHidden(hidden)
            if hidden:
                item.setSelected(False)

    def _selection_changed(self) -> None:
        count = len(self.digits.selectedItems())
        self.open_button.setEnabled(count == 1)
        self.relabel_button.setEnabled(count >= 1)
        self.delete_button.setEnabled(count >= 1)
        self.export_button.setEnabled(self.digits.count() > 0)

    def show_scores(self, scores: dict[str, Score]) -> None:
        """One row per model: accuracy on all my digits and per class."""
        self.scores.setRowCount(len(scores))
        self.scores.setVerticalHeaderLabels(list(scores))
        for row, score in enumerate(scores.values()):
            values = [None] * 11 if score.error else [score.accuracy, *score.per_class]
            cells = ["–" if v is None else f"{v:.0%}" for v in values]
            cells.append("fails" if score.error else str(score.n))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                value = values[column] if column < len(values) else None
                if value is not None and value < 1:  # redder the more misread
                    item.setBackground(QColor(229, 57, 53, int(40 + 160 * (1 - value))))
                item.setToolTip(score.error or "")
                self.scores.setItem(row, column, item)
