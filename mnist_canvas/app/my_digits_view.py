"""The "My digits" dock: my labelled drawings as thumbnails by class, the
buttons that change the collection, and how each model reads me."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
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
INDEX = Qt.ItemDataRole.UserRole  # a row's place in the collection


class ScoresTable(QTableWidget):
    """A table that asks for the width of all its columns, so that a dock
    with room to spare shows every class and the count, unscrolled."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = (
            self.verticalHeader().sizeHint().width()
            + self.horizontalHeader().length()
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
        )
        return QSize(max(hint.width(), width), hint.height())


def thumbnail_image(drawing) -> QImage:
    """A digit's thumbnail (about 0.2 ms)."""
    return gray_image(render(drawing, (THUMB, THUMB)), 0.0, 255.0)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted rows as (first, last) runs of consecutive ones."""
    runs = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class DigitsModel(QAbstractListModel):
    """The digits as the list shows them: by class, then in the order added.
    A thumbnail is drawn when the view first paints its row, so a collection
    of thousands costs only the rows in sight."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.digits: list[LabelledDrawing] = []  # in the order added
        self.order: list[int] = []  # row → place in `digits`
        # By id(drawing), each with its drawing: held, so no other drawing can
        # take its id while its thumbnail is kept.
        self._icons: dict[int, tuple[object, QIcon]] = {}

    def set_digits(self, digits: list[LabelledDrawing]) -> None:
        self.beginResetModel()
        self.digits = list(digits)
        self.order = sorted(range(len(digits)), key=lambda i: (digits[i].label, i))
        shown = {id(d.drawing) for d in digits}  # their thumbnails are kept
        self._icons = {k: v for k, v in self._icons.items() if k in shown}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self.order)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.order):
            return None
        place = self.order[index.row()]
        digit = self.digits[place]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(digit.label)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon(digit.drawing)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"A {digit.label}, digit {place + 1} of {len(self.digits)}"
        if role == INDEX:
            return place
        return None

    def icon(self, drawing) -> QIcon:
        held = self._icons.get(id(drawing))
        if held is None:
            image = thumbnail_image(drawing)
            held = self._icons[id(drawing)] = (drawing, QIcon(QPixmap.fromImage(image)))
        return held[1]


class MyDigitsView(QWidget):
    """Shows a collection and the scores; the feature connects the buttons."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = DigitsModel(self)
        self._hidden: list[int] = []  # rows the class filter hid
        self.show_class = QComboBox()
        self.show_class.addItems(["All digits", *(f"Only {d}s" for d in range(10))])
        self.digits = QListView()
        self.digits.setModel(self.model)
        self.digits.setViewMode(QListView.ViewMode.IconMode)
        self.digits.setIconSize(QSize(THUMB, THUMB))
        self.digits.setUniformItemSizes(True)  # sized by one: none drawn unseen
        self.digits.setResizeMode(QListView.ResizeMode.Adjust)
        self.digits.setMovement(QListView.Movement.Static)
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
        self.scores = ScoresTable(0, 12)
        self.scores.setHorizontalHeaderLabels(["all", *map(str, range(10)), "n"])
        self.scores.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.setMinimumHeight(125)  # three models' rows, the rest scroll
        self.scores.setToolTip(
            "Accuracy on the digits kept here. A personalised model is read only "
            "on the digits it did not learn from (n counts them), so its figure "
            "is honest; the note below says how many it left out."
        )
        self.scores_note = QLabel()
        self.scores_note.setWordWrap(True)
        self.scores_note.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._lay_out()
        self.show_class.currentIndexChanged.connect(self._filter)
        self.digits.selectionModel().selectionChanged.connect(
            lambda *_: self._selection_changed()
        )
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
        right.addWidget(self.scores_note)
        right.addWidget(self.personalise_button)
        right.addWidget(self.result)
        layout = QVBoxLayout(self)  # the dock is on the window's right: tall
        layout.addLayout(left, 1)
        layout.addLayout(right)

    def show_digits(
        self, digits: list[LabelledDrawing], problem: str | None = None
    ) -> None:
        """Thumbnails sorted by class (then in the order added); `problem`:
        why the collection cannot be read (then there are none to show)."""
        self.model.set_digits(digits)
        self._hidden = []  # a new list hides no row
        counts = Counter(d.label for d in digits)
        counts = [counts[c] for c in range(10)]
        self.count.setWordWrap(problem is not None)
        if problem is not None:  # not "no digits yet": they may all be there
            text = (f"Your collection cannot be read, so it is not shown and "
                    f"nothing is added to it until it is fixed or moved away: "
                    f"{problem}")  # fmt: skip
        elif digits:
            text = f"{len(digits)} digits.   " + "   ".join(
                f"{c}: {n}" for c, n in enumerate(counts)
            )
        else:
            text = "No digits yet: draw one and press its key (0–9)"
        self.count.setText(text)
        self._filter()
        self._selection_changed()

    def digit_at(self, index) -> LabelledDrawing:
        """The digit shown at a list index."""
        return self.model.digits[self.model.order[index.row()]]

    def selected(self) -> list[LabelledDrawing]:
        """The selected digits, in the order added (shown ones only: a
        filtered-out digit is never acted on). They are the digits as last
        shown: the collection may have changed since."""
        rows = self._selected_rows()
        return [self.model.digits[i] for i in sorted(self.model.order[r] for r in rows)]

    def _selected_rows(self) -> list[int]:
        chosen = self.digits.selectionModel().selectedIndexes()
        return [ix.row() for ix in chosen if not self.digits.isRowHidden(ix.row())]

    def _filter(self) -> None:
        wanted = self.show_class.currentIndex() - 1  # -1: all
        if wanted < 0 and not self._hidden:
            return  # nothing to show again
        self._hidden = []
        for row, place in enumerate(self.model.order):
            hidden = wanted >= 0 and self.model.digits[place].label != wanted
            self.digits.setRowHidden(row, hidden)
            if hidden:
                self._hidden.append(row)
        # Rows of one class are together: their selection goes in one call
        # (a call per row made selecting all, then one class, take minutes).
        gone = QItemSelection()
        for first, last in _runs(self._hidden):
            gone.select(self.model.index(first), self.model.index(last))
        self.digits.selectionModel().select(
            gone, QItemSelectionModel.SelectionFlag.Deselect
        )

    def _selection_changed(self) -> None:
        count = len(self._selected_rows())
        self.open_button.setEnabled(count == 1)
        self.relabel_button.setEnabled(count >= 1)
        self.delete_button.setEnabled(count >= 1)
        self.export_button.setEnabled(self.model.rowCount() > 0)

    def show_scores(self, scores: dict[str, Score]) -> None:
        """One row per model: accuracy on my digits, overall and per class
        (a personalised model's on those it did not learn from)."""
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
                item.setToolTip(score.error or _unlearned(score))
                self.scores.setItem(row, column, item)
        notes = [f"{name}: {_unlearned(score)}" for name, score in scores.items()
                 if score.learned and not score.error]  # fmt: skip
        self.scores_note.setText("\n".join(notes))
        self.scores_note.setVisible(bool(notes))
        self.scores.updateGeometry()  # new names and counts: a new width


def _unlearned(score: Score) -> str:
    """What a personalised model's row is measured on, in words."""
    if not score.learned:
        return ""
    if not score.n:
        return (f"learned from all {score.learned} of these digits: none is "
                "left to measure it on")  # fmt: skip
    return (f"measured on the {score.n} digits it did not learn from "
            f"({score.learned} it learned from are left out)")  # fmt: skip
