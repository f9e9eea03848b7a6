"""Diagnose ▸ Explore Misreadings… (Ctrl+E): which digits a model confuses.

Pick a model and a data set (MNIST test, the pen digits, a stroke file of your
own, my digits; strokes placed as recorded or at random sizes and positions,
as people draw); the data set is read in the background (`explorer_run`) and
its confusion matrix shown with counts. Click a red cell: the digits of that
cell, most confident first. Click one: it opens on the main canvas (strokes as
a drawing, MNIST images as pictures, undoably) with that model chosen, where
the stages, switches and every other view apply. A second model "against"
lists the digits one reads right and the other wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..data import default_mnist_dir
from ..diagnosis.explore import Dataset, Readings, offered_datasets, right_by_one
from ..ink.drawing import Drawing
from ..ink.pictures import canvas_picture
from ..models.classifier import departures
from .confusion_view import ConfusionView
from .explorer_run import ExplorerRuns, Job
from .file_dialogs import open_file
from .misreading_gallery import MisreadingGallery, misreading_items
from .steps_note import in_words

NOBODY = "(none)"


def _empty(errors) -> str:
    empty = sum(e.predicted < 0 for e in errors)
    return f" ({empty:,} of them empty: in no cell)" if empty else ""


class Explorer(QWidget):
    def __init__(self, main: QMainWindow, loader=None):
        super().__init__(main, Qt.WindowType.Window)
        self.setWindowTitle("Explore misreadings")
        self.main = main
        self.runs = ExplorerRuns(loader, self)
        self.chosen_files: list[Dataset] = []
        self.asked: list[Job] = []  # the readings the current choice needs
        self.wanted: list[Job] = []  # those still to show (none once cancelled)
        self.readings: Readings | None = None  # shown in the matrix
        self.in_gallery: Readings | None = None  # whose misreadings the gallery shows
        self.against: Readings | None = None
        self._build()
        self.runs.progress.connect(self._progress)
        self.runs.done.connect(lambda job: self._pump())
        self.runs.cancelled.connect(lambda job: self._pump())
        self.runs.failed.connect(self._failed)
        main.strip.switchesChanged.connect(self._switches_changed)
        # A model trained or imported meanwhile is offered too.
        self._choices_due = QTimer(self, singleShot=True, interval=0)
        self._choices_due.timeout.connect(self.refresh_choices)
        main.model_picker.model().rowsInserted.connect(self._choices_due.start)
        self.refresh_choices()

    def _switches_changed(self, _switches: dict) -> None:
        # Another model chosen shows its own steps: the readings stay the same.
        if self.isVisible() and self._jobs() != self.asked:
            self.read()

    # -- building --
    def _build(self) -> None:
        self.model, self.other, self.data = QComboBox(), QComboBox(), QComboBox()
        self.placement = QComboBox()
        self.placement.addItem("as recorded", "default")
        self.placement.addItem("random size and position", "random")
        self.placement.setToolTip(
            "Where a stroke file's digits go on the canvas: as recorded (digits "
            "without a canvas centred, 60 % of its height), or each 25–90 % of "
            "its height at a random position, as people draw (the same every "
            "time: what `evaluate --place random --seed 1` reads)"
        )
        self.choose_file = QPushButton("Stroke File…")
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.progress.hide()
        self.cancel_button.hide()
        self.summary, self.message = QLabel(), QLabel()
        self.message.setWordWrap(True)
        self.summary.setWordWrap(True)  # a long title must not widen the matrix
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.gallery_title = QLabel("Click a red cell to see those digits")
        self.gallery_title.setWordWrap(True)
        self.matrix, self.gallery = ConfusionView(), MisreadingGallery()
        self.wins, self.losses = QPushButton(), QPushButton()
        top = QHBoxLayout()
        for label, widget in (("Model", self.model), ("against", self.other),
                              ("Data", self.data),
                              ("placed", self.placement)):  # fmt: skip
            top.addWidget(QLabel(label))
            top.addWidget(widget, 1)
        top.addWidget(self.choose_file)
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addWidget(QLabel("Rows: the true digit · columns: the digit read"))
        left.addWidget(self.matrix, 1)
        row = QHBoxLayout()
        row.addWidget(self.wins)
        row.addWidget(self.losses)
        left.addLayout(row)
        right = QVBoxLayout()
        right.addWidget(self.gallery_title)
        right.addWidget(self.gallery, 1)
        splitter = QSplitter()
        for part in (left, right):
            holder = QWidget()
            holder.setLayout(part)
            splitter.addWidget(holder)
        splitter.setSizes([480, 520])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)
        layout.addLayout(bottom)
        self.resize(1020, 560)
        # Esc and Ctrl+W close it, as any such window.
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence.StandardKey.Close):
            QShortcut(keys, self, self.close)
        for combo in (self.model, self.other, self.data, self.placement):
            combo.activated.connect(lambda _: self.read())
        self.choose_file.clicked.connect(lambda: self.add_stroke_file())
        self.cancel_button.clicked.connect(self.cancel)
        self.matrix.cellChosen.connect(self.show_cell)
        self.gallery.itemChosen.connect(self.open_item)
        self.wins.clicked.connect(lambda: self.show_against(True))
        self.losses.clicked.connect(lambda: self.show_against(False))
        self._show_against_counts()

    def refresh_choices(self) -> None:
        """Fill the lists from the catalogue and the data sets now available."""
        model, other = self.model.currentText(), self.other.currentText()
        usable = list(self.main.catalogue.usable())
        self.model.clear()
        self.model.addItems(usable)
        self.other.clear()
        self.other.addItems([NOBODY, *usable])
        self.model.setCurrentText(model or self.main.active_model() or "")
        self.other.setCurrentText(other or NOBODY)
        data = self.data.currentText()
        self.data.clear()
        mnist = self.main.settings.mnist_dir(str(default_mnist_dir() or ""))
        for dataset in offered_datasets(mnist or None) + self.chosen_files:
            self.data.addItem(dataset.title, dataset)
        if data:
            self.data.setCurrentText(data)

    def add_stroke_file(self, path: str | None = None) -> None:
        """Offer a stroke file (.jsonl or .jsonl.gz) and read it."""
        if path is None:
            path = open_file(self, "Stroke file", "Stroke files (*.jsonl *.jsonl.gz)")
            if not path:
                return
        dataset = Dataset.strokes(path)
        if dataset not in self.chosen_files:
            self.chosen_files.append(dataset)
        self.refresh_choices()
        self.data.setCurrentIndex(self.data.findData(dataset))
        self.read()

    # -- reading --
    def _job(self, name: str, departed: dict[str, bool]) -> Job | None:
        """Reading with `name`: its own steps with the strip's departures
        from the active model's (as the main window predicts with it)."""
        entry = self.main.catalogue.get(name)
        dataset = self.data.currentData()
        if entry is None or not entry.usable or dataset is None:
            return None
        dataset = dataset.placed(self.placement.currentData())
        steps = {**self.main.model_recipe.steps(name), **departed}
        return Job.make(name, entry.path, dataset, steps)

    def _departed(self) -> dict[str, bool]:
        recipe = self.main.model_recipe
        return departures(recipe.steps(recipe.model), self.main.strip.switches())

    def _steps_used(self) -> str:
        """Which switches these readings used, in words: the window's."""
        departed = self._departed()
        if not departed:
            return "Steps: each model's own, as in the main window."
        return (f"Steps: as switched in the main window, each model's own "
                f"but {in_words(list(departed))} switched "
                f"{'/'.join(sorted({'on' if v else 'off' for v in departed.values()}))}"
                " (the main window's note has one click back).")  # fmt: skip

    def _jobs(self) -> list[Job]:
        """The readings the models and data set chosen need."""
        departed = self._departed()
        names = [self.model.currentText(), self.other.currentText()]
        jobs = [self._job(n, departed) for n in dict.fromkeys(names)
                if n and n != NOBODY]  # fmt: skip
        return [job for job in jobs if job is not None]

    def read(self) -> None:
        """Show the readings of the models and data set chosen (reading them
        in the background when they are not read yet)."""
        data = self.data.currentData()
        self.placement.setEnabled(data is not None and data.kind == "strokes")
        self.asked = self.wanted = self._jobs()
        if not self.wanted:
            self.message.setText(
                "Choose a model and a data set (MNIST test is offered once an "
                "MNIST folder is known: see Training ▸ Train a Model…)."
            )
            return
        self._pump()

    def _pump(self) -> None:
        """Start the next reading needed, or show them all when none is."""
        if self.runs.busy():
            if self.runs.current not in self.wanted:
                self.runs.cancel()  # reports back, then this runs again
            return
        for job in self.wanted:
            if self.runs.readings(job) is None:
                self.message.setText(f"Reading {job.dataset.title} with {job.model}…")
                self.progress.setValue(0)
                self.progress.show()
                self.cancel_button.show()
                self.runs.start(job)
                return
        self._busy_shown(False)
        if self.wanted:
            found = [self.runs.readings(job) for job in self.wanted]
            self._show(found[0], found[1] if len(found) > 1 else None)

    def cancel(self) -> None:
        """Stop reading; what was shown before stays."""
        self.wanted = []
        self.runs.cancel()
        self._busy_shown(False)
        self._tell("Cancelled.")

    def _busy_shown(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _failed(self, job: Job, message: str) -> None:
        if job in self.wanted:  # not a reading the user has since left
            self.wanted = []
            self._busy_shown(False)
            self._tell(f"Cannot read it: {message}.")
        self._pump()

    def _tell(self, text: str) -> None:
        if self.readings is not None:
            text += " Still showing the previous reading."
        self.message.setText(text)

    # -- showing --
    def _show(self, readings: Readings, against: Readings | None) -> None:
        if readings is self.readings and against is self.against:
            self.message.setText("")  # the matrix and the gallery stay as they are
            return
        self.readings, self.against = readings, against
        result = readings.result
        right = sum(result.confusion[d][d] for d in range(10))
        self.summary.setText(
            f"<b>{readings.model}</b> on {readings.dataset.title}: {right:,} of "
            f"{result.n:,} read right ({result.accuracy:.2%}), "
            f"{len(result.errors):,} misread{_empty(result.errors)}. "
            + self._steps_used()
        )
        self.message.setText("")
        self.matrix.show_confusion(result.confusion)
        self.gallery.clear()
        self.gallery_title.setText("Click a red cell to see those digits")
        self._show_against_counts()

    def _show_against_counts(self) -> None:
        shown = self.against is not None
        self.wins.setVisible(shown)
        self.losses.setVisible(shown)
        if shown:
            a, b = self.readings, self.against
            self.wins.setText(f"{a.model} right, {b.model} wrong: "
                              f"{len(right_by_one(a, b)):,}")  # fmt: skip
            self.losses.setText(f"{b.model} right, {a.model} wrong: "
                                f"{len(right_by_one(b, a)):,}")  # fmt: skip

    def show_cell(self, true: int, read: int) -> None:
        readings = self.readings
        found = readings.cell(true, read)
        self.gallery_title.setText(
            f"{true} read as {read} by {readings.model}: {len(found):,}, most "
            f"confident first (under each: the digit read and its probability, "
            f"then the right digit's)"
        )
        self.in_gallery = readings
        self.gallery.show_items(misreading_items(readings, found))

    def show_against(self, first_right: bool) -> None:
        a, b = (self.readings, self.against)
        right, wrong = (a, b) if first_right else (b, a)
        found = right_by_one(right, wrong)
        self.gallery_title.setText(
            f"{len(found):,} digits {right.model} reads right and {wrong.model} "
            f"wrong; under each: {wrong.model}'s reading, then the right digit's"
        )
        self.in_gallery = wrong  # its misreadings: what the gallery shows
        self.gallery.show_items(misreading_items(wrong, found))

    def open_item(self, index: int) -> None:
        """Put item `index` of the gallery's readings on the main canvas, with
        the model that misread it chosen."""
        readings, canvas = self.in_gallery, self.main.canvas
        source = readings.sources[index]
        text = f"Open {readings.dataset.title} item {index}"
        if isinstance(source, Drawing):
            canvas.set_drawing(source, text)
        else:
            size = (round(canvas.drawing.width), round(canvas.drawing.height))
            canvas.set_picture(canvas_picture(source, size), text)
        self.main.model_picker.choose(readings.model)
        label = int(readings.labels[index])
        self.main.statusBar().showMessage(f"{text}: a {label}", 8000)
