"""File ▸ Import Model… and model files dropped on the window.

The dialog examines the file off the GUI thread (a Keras or TorchScript file
is first converted to ONNX by a child process; then every candidate
convention runs on MNIST test images), shows the table of candidates with
their likelihood and accuracy and the chosen convention in words, says when
the choice is a close call or assumed (no MNIST), lets the user pick another
row and a name, and on Import saves the model beside the user's other models
and emits its path. A file that cannot be imported says what it is and how
to export it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..diagnosis.examine import DEFAULT_IMAGES, close_call_words, examine
from ..models.convention import LAYOUTS, POLARITIES
from ..models.detect import Detection
from ..models.formats import SUFFIXES
from ..models.imported import (
    check_name,
    check_source,
    metadata_for,
    origin,
    read_sidecar,
    save_imported,
)
from ..models.onnx_file import OnnxModel
from ..models.registry import REGISTRY
from .file_dialogs import open_file

COLUMNS = ("-log p", "MNIST accuracy", "input", "values", "ink")
FILTER = f"Models ({' '.join('*' + s for s in SUFFIXES)});;All files (*)"
CONVERTED = {"keras": "a Keras file", "h5": "a Keras .h5 file",
             "torchscript": "a TorchScript archive"}  # fmt: skip
VALUES = {"0-1": "0–1", "0-255": "0–255", "mnist": "MNIST mean/std", "-1-1": "-1 to 1"}


class _Examiner(QObject):
    """Runs `examine` in its thread; answers with plain data or a message."""

    examined = Signal(object, object)  # OnnxModel, Detection
    failed = Signal(str)

    def __init__(self, path: str, mnist: str | None, images: int):
        super().__init__()
        self.path, self.mnist, self.images = path, mnist, images
        self.cancelled = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            stop = self.cancelled.is_set
            model, found = examine(self.path, self.mnist, self.images, stop=stop)
        except Exception as error:  # any file can hold anything: a message
            self.failed.emit(str(error) or type(error).__name__)
            return
        self.examined.emit(model, found)


def _row(candidate) -> list[str]:
    c = candidate.convention
    accuracy = "fails" if candidate.accuracy is None else f"{candidate.accuracy:.1%}"
    nll = "" if candidate.nll is None else f"{candidate.nll:.3f}"
    layout, ink = LAYOUTS[c.layout][1], POLARITIES[c.polarity]
    return [nll, accuracy, layout, VALUES[c.range], ink]


class ImportDialog(QDialog):
    """Examine one model file, show the candidates, import on request."""

    examined = Signal()  # the table is filled (or the failure shown)
    modelImported = Signal(str)  # the saved .onnx file's path

    def __init__(
        self, path, mnist, folder: Path, images=DEFAULT_IMAGES, parent=None,
        replaces: str | None = None,
    ):  # fmt: skip
        """`replaces`: the imported model measured again (its file is `path`)."""
        super().__init__(parent)
        title = f"Measure {replaces}" if replaces else f"Import {Path(path).name}"
        self.setWindowTitle(title)
        self.folder, self.model, self.found = Path(folder), None, None
        self.replaces = replaces
        self._build(replaces or Path(path).stem, mnist, images)
        self.name.setReadOnly(replaces is not None)
        self._thread = QThread(self)
        self._examiner = _Examiner(str(path), mnist or None, images)
        self._examiner.moveToThread(self._thread)
        self._thread.started.connect(self._examiner.run)
        self._examiner.examined.connect(self._show)
        self._examiner.failed.connect(self._fail)
        self._examiner.examined.connect(self._thread.quit)
        self._examiner.failed.connect(self._thread.quit)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread.start()

    def _build(self, name: str, mnist, images: int) -> None:
        measuring = f"on {images:,} MNIST test images" if mnist else "(no MNIST)"
        self.status = QLabel(
            f"Reading the file (a Keras or TorchScript file is converted to ONNX "
            f"first), then trying every input convention {measuring}…"
        )
        self.status.setWordWrap(True)
        # A refusal gives the line that exports the model: it can be copied.
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._describe)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.name = QLineEdit(name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.table, self.words):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(620, 420)

    @Slot(object, object)
    def _show(self, model: OnnxModel, found: Detection) -> None:
        self.model, self.found = model, found
        self.table.setRowCount(len(found.candidates))
        for r, candidate in enumerate(found.candidates):
            for c, text in enumerate(_row(candidate)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        converted = CONVERTED.get(model.format)
        what = f"Converted from {converted} to ONNX. " if converted else ""
        if found.candidates:
            what += (
                f"Measured on {found.n:,} MNIST test images, likeliest first "
                "(-log p: the mean negative log-likelihood of the true digit)."
            )
        else:
            what += (
                "No MNIST folder is set, so nothing was measured: the convention "
                "is assumed, not measured. Import the same file again once MNIST "
                "is there to measure it."
            )
        declared = " The file declares its convention." if found.declared else ""
        close = close_call_words(found)
        close = f" <b>{close}</b>" if close else ""
        self.status.setText(
            f"{what}{declared}{close} Output: {found.output}; one digit takes "
            f"{found.latency_ms:.2f} ms. Pick another row to override."
        )
        names = [c.convention.short() for c in found.candidates]
        if found.chosen.short() in names:
            self.table.selectRow(names.index(found.chosen.short()))
        self._describe()
        self.import_button.setEnabled(True)
        self.examined.emit()

    @Slot(str)
    def _fail(self, message: str) -> None:
        self.status.setText(f"This model cannot be imported: {message}")
        self.table.hide()  # nothing to pick from
        self.examined.emit()

    def chosen(self):
        """The convention of the selected row (the detected one if none)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.found is None or not self.found.candidates:
            return None if self.found is None else self.found.chosen
        return self.found.candidates[rows[0].row()].convention

    def _describe(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.words.setText(f"<b>The model {chosen.describe()}.</b>")

    def select(self, row: int) -> None:
        self.table.selectRow(row)

    @Slot()
    def save(self) -> None:
        """Save with the chosen row and name; a problem is shown, not raised."""
        name = self.name.text().strip()
        try:
            replaces = self.replaces or check_source(self.model.path, self.folder)
            check_name(name, self.folder, tuple(REGISTRY), replaces)
            metadata = metadata_for(self.model, self.found, self.chosen())
            if self.replaces:  # where the model first came from stays known
                metadata.update(origin(read_sidecar(self.model.path)))
            path = save_imported(self.model, metadata, name, self.folder)
        except (ValueError, OSError) as error:
            self.words.setText(f"<b>Not imported:</b> {error}")
            return
        self.modelImported.emit(str(path))
        self.accept()

    def done(self, result: int) -> None:
        """Closing the dialog (Cancel, Escape, Import) ends its examination
        after the candidate being measured."""
        self._examiner.cancelled.set()
        super().done(result)

    def closeEvent(self, event) -> None:
        self._examiner.cancelled.set()
        super().closeEvent(event)

    def stop(self) -> None:
        """Cancel the examination and wait for its thread (a thread destroyed
        while running aborts the app)."""
        self._examiner.cancelled.set()
        self._thread.quit()
        self._thread.wait()


def open_import(window, path: str | None = None) -> ImportDialog | None:
    """Ask for a file (unless given), then show the import dialog; a model
    imported goes into the window's model list and becomes the active one."""
    from ..data import default_mnist_dir
    from ..files import user_models_dir

    if path is None:
        path = open_file(window, "Import Model", FILTER)
        if not path:
            return None
    mnist = window.settings.mnist_dir(str(default_mnist_dir() or "")) or None
    dialog = ImportDialog(path, mnist, user_models_dir(), parent=window)
    dialog.modelImported.connect(lambda saved: window.add_model(saved, True))
    dialog.show()
    return dialog


def open_measure(window) -> ImportDialog | None:
    """Model ▸ Measure Convention…: examine the active imported model again on
    MNIST (one imported without MNIST has an assumed convention) and, on
    Import, replace its convention with the one picked."""
    from ..data import default_mnist_dir
    from ..files import user_models_dir

    entry = window.catalogue.get(window.active_model() or "")
    if entry is None or entry.shipped or not entry.path.name.endswith(".onnx"):
        QMessageBox.information(
            window, "Measure Convention",
            "Only an imported model's convention is measured: choose one in the "
            "Model list (File ▸ Import Model… brings one in).",
        )  # fmt: skip
        return None
    mnist = window.settings.mnist_dir(str(default_mnist_dir() or "")) or None
    if mnist is None:
        QMessageBox.information(
            window, "Measure Convention",
            "Measuring needs the MNIST test images: set the MNIST folder (or "
            "download MNIST) first.",
        )  # fmt: skip
        return None
    folder = user_models_dir()
    dialog = ImportDialog(entry.path, mnist, folder, parent=window, replaces=entry.name)
    dialog.modelImported.connect(lambda saved: window.add_model(saved, True))
    dialog.show()
    return dialog


def add_measure_action(window, after) -> QAction:
    """File ▸ Measure Model's Convention…, placed after the action `after`."""
    action = QAction("&Measure Model's Convention…", window)
    action.setStatusTip("Find the active imported model's input convention on MNIST")
    action.triggered.connect(lambda: open_measure(window))
    for owner in after.associatedObjects():
        if isinstance(owner, QMenu):
            actions = owner.actions()
            index = actions.index(after) + 1
            owner.insertAction(actions[index] if index < len(actions) else None, action)
    return action


class OnnxDrop(QObject):
    """An event filter: model files (ONNX, Keras, TorchScript, and those that
    will be refused with a reason) dropped on the watched widget are imported."""

    def __init__(self, widget, on_file):
        super().__init__(widget)
        self.on_file = on_file
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    @staticmethod
    def _onnx(event) -> str | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        files = [u.toLocalFile() for u in urls if u.isLocalFile()]
        # A folder may be a TensorFlow SavedModel: refused, with the way out.
        known = (f for f in files if f.lower().endswith(SUFFIXES) or Path(f).is_dir())
        return next(known, None)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            path = self._onnx(event)
            if path is None:
                return False
            event.acceptProposedAction()
            if kind == QEvent.Type.Drop:
                self.on_file(path)
            return True
        return False
