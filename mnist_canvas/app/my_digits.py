"""My handwriting: label what I draw, keep it, see how each model reads me,
and teach a model my style.

With ink on the canvas, a key 0–9 (or a click on a digit's bar) keeps the
drawing with that label in the user's collection (`data.my_digits`) and clears
the canvas (Undo brings the drawing back). View ▸ My Digits shows the
collection by class, with every usable model's accuracy on it, per class,
computed in the background whenever it changes. Personalise… fine-tunes the
current model on the collection in a separate process, holding the newest
fifth of each class back to measure it honestly, and adds the new model to the
Model list. The collection is read on a worker once the window is up (a big
one takes seconds: 8,000 digits 3.3 s), so neither start-up nor the first kept
digit waits for it unless it is still being read; the dock draws a thumbnail
only when its row comes into view. Installed by `features.py`.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QInputDialog,
    QLineEdit,
    QMessageBox,
)

from ..data import DataError
from ..data.my_digits import Kept, MyDigits, read_digits
from ..ink.drawing import Drawing
from .actions import menu
from .digit_accuracy import DigitAccuracy
from .file_dialogs import open_file, save_file
from .jobs import Interrupted, LatestJobs
from .layout import showing, side_dock
from .my_digits_view import MyDigitsView
from .personalising import Personalising

STROKE_FILES = "Stroke files (*.jsonl *.jsonl.gz);;All files (*)"
OPEN = "open"  # the worker's job besides imports ("import:PATH"): the first read


def install(window) -> MyDigitsFeature:
    return MyDigitsFeature(window)


_KEY_TAKERS = (QAbstractItemView, QComboBox, QAbstractSpinBox, QLineEdit)


def keys_reach_canvas(focus) -> bool:
    """Whether a digit key typed with `focus` (a widget or None) is meant
    for the canvas: not when a list, combo box, number or text field, or any
    widget in a dock has the focus."""
    widget = focus
    while widget is not None:
        if isinstance(widget, (*_KEY_TAKERS, QDockWidget)):
            return False
        widget = widget.parentWidget()
    return True


class _Kept(QUndoCommand):
    """The collection's half of a keep, in the canvas's undo stack: undo
    takes the digit out, redo keeps it again (it was kept before the push)."""

    def __init__(self, feature: MyDigitsFeature, added: Kept):
        super().__init__()
        self.feature, self.added = feature, added
        self.taken = False  # whether the last undo took it out (not yet: kept)

    def redo(self) -> None:  # the push's redo finds it kept: nothing to do
        if self.taken:  # only what its undo took out
            self.feature._keep_again(self.added)

    def undo(self) -> None:
        self.taken = self.feature._unkeep(self.added)


class MyDigitsFeature(Personalising, QObject):
    def __init__(self, window, path: Path | None = None):
        super().__init__(window)
        self.window = window
        # Read on the worker once the event loop runs (the window is up); the
        # lock lets the GUI thread wait for a read in hand, or read it itself
        # if the worker has not begun, never both.
        self._path, self._opened, self._collection = path, False, None
        self._reading = threading.Lock()
        # Set when the worker is asked to read; cleared by the worker when it
        # is done, or here if the GUI thread read first (the worker then has
        # nothing to do).
        self._worker_reading = False
        self._stopped = False  # the window closed: nothing more is added
        self.problem: str | None = None
        self.view = MyDigitsView()
        self.dock = side_dock(window, "My digits", "my-digits", self.view)
        self.accuracy = DigitAccuracy(window.catalogue, self)
        self.importer = LatestJobs("my-digits-import", self)  # kind: the file
        self._importing: dict[str, int] = {}  # file being read: its newest job
        self.run = None  # a PersonaliseRun, made when first asked (loads torch)
        self.pending: dict | None = None  # the personalising in hand
        self._stale = True  # the scores shown describe an older collection
        self._shown_stale = True  # the thumbnails describe an older collection
        self._add_actions()
        self._connect()
        QTimer.singleShot(0, self, self.read_soon)

    def read_soon(self) -> None:
        """Read the collection on the worker, unless it has been read."""
        if not self._opened and not self._worker_reading:
            self._worker_reading = True
            self.importer.submit(OPEN, self._read_on_worker)

    def _read(self, stopping=None) -> bool:
        """Read the collection once (on any thread; a second caller waits for
        the first). Returns whether this call read it; InterruptedError if
        `stopping()` said to stop first (nothing read)."""
        with self._reading:
            if self._opened:
                return False
            try:
                self._collection = MyDigits.open(self._path, stopping)
            except InterruptedError:
                raise
            except (DataError, OSError) as error:
                self.problem = str(error)
            except Exception as error:  # e.g. the file changed while read
                self.problem = f"{self._path}: {type(error).__name__}: {error}"
            self._opened = True
            return True

    def _read_on_worker(self) -> None:
        try:
            self._read(lambda: self.importer.stopping)
        except InterruptedError:  # the window closes: read again if asked
            raise Interrupted from None
        finally:
            self._worker_reading = False

    @property
    def collection(self) -> MyDigits | None:
        """The collection (read now if the worker has not read it yet); None
        if it cannot be read (`problem` says why; it is left alone, nothing is
        written to it)."""
        if self._read():  # read here, so the worker's answer brings nothing
            self._worker_reading = False
        return self._collection

    def _add_actions(self) -> None:
        w = self.window
        toggle = self.dock.toggleViewAction()
        toggle.setText("&My Digits")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+M"))
        menu(w, "&View").addAction(toggle)
        self.personalise_action = QAction("&Personalise the Model on My Digits…", w)
        self.personalise_action.triggered.connect(self.personalise)
        menu(w, "&Training").addAction(self.personalise_action)
        for digit in range(10):
            action = QAction(f"Keep the Drawing as {digit}", w)
            action.setShortcut(QKeySequence(str(digit)))
            action.triggered.connect(partial(self._key, digit))
            w.addAction(action)

    def _connect(self) -> None:
        v = self.view
        self.window.probabilities.digitClicked.connect(self.label)
        v.open_button.clicked.connect(self.open_selected)
        v.digits.doubleClicked.connect(
            lambda index: self._open(v.digit_at(index).drawing)
        )
        v.relabel_button.clicked.connect(lambda: self.relabel())
        v.delete_button.clicked.connect(self.delete)
        v.import_button.clicked.connect(lambda: self.import_file())
        v.export_button.clicked.connect(lambda: self.export())
        v.personalise_button.clicked.connect(self.personalise)
        self.window.model_picker.modelChosen.connect(
            lambda _: self.update_personalise_button()
        )
        self.dock.visibilityChanged.connect(lambda _: self._refresh())
        self.accuracy.scored.connect(self._scored)
        self.importer.done.connect(self._imported)
        self.importer.failed.connect(self._import_failed)

    def busy(self) -> str | None:
        """What closing the window would stop (see `features`)."""
        if self.run is not None and self.run.is_running():
            return "A model is being personalised on your digits."
        if self._importing:
            names = ", ".join(sorted(Path(path).name for path in self._importing))
            return f"Digits are being imported from {names} (nothing added yet)."
        return None

    def stop(self) -> None:
        """The window closes: stop scoring (started again by the next
        request) and any personalising run (nothing half-done is saved)."""
        self._stopped = True  # a file still being read is not added
        self.accuracy.stop()
        self.importer.stop()
        if self.run is not None:
            self.run.wait_stopped()

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def _usable(self) -> bool:
        if self.collection is None:
            QMessageBox.warning(
                self.window, "My digits",
                f"Your digit collection cannot be read, so nothing is added to "
                f"it until it is fixed or moved away:\n{self.problem}",
            )  # fmt: skip
        return self.collection is not None

    # -- labelling --
    def _key(self, digit: int) -> None:
        """A digit key: keep the drawing, unless the key was meant for a
        list, a combo box, a number field or anything else in a dock."""
        if keys_reach_canvas(QApplication.focusWidget()):
            self.label(digit)

    def label(self, digit: int) -> bool:
        """Keep the canvas's drawing as `digit` and clear the canvas (undoable)."""
        canvas = self.window.canvas
        if canvas.picture is not None:  # only its strokes would be kept
            self._status(
                "Pictures can't be kept: the collection holds drawn strokes. "
                "Draw the digit instead."
            )
            return False
        drawing = canvas.current_drawing()
        if drawing.is_empty:
            self._status("Draw a digit first, then press its key (0–9) to keep it")
            return False
        if not self._usable():
            return False
        try:
            added = self.collection.add(drawing, digit)
        except (DataError, ValueError) as error:
            self._changed()  # it may have read the file again
            QMessageBox.warning(self.window, "Digit not kept", str(error))
            return False
        # One step to undo: the drawing comes back and the digit leaves.
        stack = canvas.undo_stack
        stack.beginMacro(f"Keep as {digit}")
        canvas.set_drawing(Drawing(drawing.width, drawing.height), f"Keep as {digit}")
        stack.push(_Kept(self, added))
        stack.endMacro()
        self._status(
            f"Kept as a {digit} in My digits ({len(self.collection)} in all); "
            "Undo takes it out and brings the drawing back"
        )
        self._changed()
        return True

    def _unkeep(self, added: Kept) -> bool:
        """Undo of a keep: the digit leaves the collection, if it is still
        there as kept (it may have been relabelled or deleted meanwhile: then
        it is left as it is). Returns whether it was taken out."""
        label = added.digit.label
        if self.collection is None:
            return False
        taken = self._change(lambda: self.collection.withdraw(added))
        if taken:
            self._status(f"The {label} was taken out of My digits")
        elif taken is not None:  # no failure, but not there
            self._status(
                f"The {label} kept is no longer in My digits as it was "
                "(relabelled or deleted): the collection is left as it is"
            )
        return bool(taken)

    def _keep_again(self, added: Kept) -> None:
        if self.collection is not None and self._change(
            lambda: self.collection.add_kept([added])
        ):
            self._status(f"Kept as a {added.digit.label} in My digits again")

    # -- the collection --
    def _changed(self) -> None:
        self._stale = self._shown_stale = True
        self._refresh()

    def _refresh(self) -> None:
        """Bring the dock up to date with the collection, if it is shown."""
        if not showing(self.dock):
            return
        if self._worker_reading:  # the worker's answer refreshes
            return
        if not self._opened:
            self.read_soon()
            return
        if self._shown_stale:
            collection = self.collection
            self._shown_stale = False
            if collection is None:
                self.view.show_digits([], self.problem)
            else:
                self.view.show_digits(collection.digits())
            self.update_personalise_button()
        self._score_if_stale()

    def _score_if_stale(self) -> None:
        if self._stale and showing(self.dock) and self.collection is not None:
            self._stale = False
            digits = self.collection.digits()
            self.accuracy.submit(
                [d.drawing for d in digits], [d.label for d in digits],
                digits,
            )  # fmt: skip

    def _scored(self, tag: str, scores: dict) -> None:
        if tag == "all":
            self.view.show_scores(scores)
        elif tag == "held back" and self.pending is not None:
            self._show_before_after(scores)

    def _chosen(self) -> list[int]:
        """The places in the collection of the digits selected in the list.
        Each is found by identity, in case the list shows an older state: one
        already deleted or relabelled is left out, never mistaken for the
        digit now at its place."""
        if not self._usable():
            return []
        selected = self.view.selected()
        place = {id(d): i for i, d in enumerate(self.collection.digits())}
        chosen = [i for d in selected if (i := place.get(id(d))) is not None]
        if len(chosen) < len(selected):
            self._status(
                f"{len(selected) - len(chosen)} of the selected digits were "
                "already changed or deleted; the list is being brought up to date"
            )
        return chosen

    def open_selected(self) -> None:
        chosen = self.view.selected()
        if len(chosen) == 1:
            self._open(chosen[0].drawing)

    def _open(self, drawing) -> None:
        self.window.canvas.set_drawing(drawing, "Open my digit")

    def relabel(self, label: int | None = None) -> None:
        chosen = self._chosen()
        if not chosen:
            return
        if label is None:
            current = self.collection.digits()[chosen[0]].label
            which = "this one is" if len(chosen) == 1 else f"these {len(chosen)} are"
            label, ok = QInputDialog.getInt(
                self.window, "Relabel", f"The digit {which}:", current, 0, 9
            )
            if not ok:
                return
        self._change(lambda: self.collection.relabel(chosen, label))

    def delete(self) -> None:
        chosen = self._chosen()
        if not chosen:
            return
        answer = QMessageBox.question(
            self.window, "Delete digits",
            f"Delete {len(chosen)} of your digits? This cannot be undone.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self._change(lambda: self.collection.delete(chosen))

    def import_file(self, path: str | None = None) -> None:
        """Read a stroke file on a worker (thousands of pen digits take
        seconds), then add its digits; a bad file is named, nothing added."""
        if not self._usable():
            return
        if path is None:
            path = open_file(self.window, "Import digits", STROKE_FILES)
        if path:
            self._status(f"Reading digits from {Path(path).name}…")
            self._importing[path] = self.importer.submit(
                f"import:{path}", partial(self._read_import, path)
            )

    def _read_import(self, path: str) -> list:
        """On the worker: the file's digits; a window closing stops it soon."""
        try:
            return read_digits(path, lambda: self.importer.stopping)
        except InterruptedError:
            raise Interrupted from None

    def _imported(self, kind: str, serial: int, result) -> None:
        """A worker's job is done: an import's digits are added; the
        collection read brings the dock up to date."""
        if self._stopped:
            return
        if kind.startswith("import:"):
            path = kind.removeprefix("import:")
            self._imported_from(path, serial)
            count = self._change(lambda: self.collection.add_kept(result))
            if count is not None:
                self._status(f"Imported {count} digits from {Path(path).name}")
            return
        self._refresh()

    def _imported_from(self, path: str, serial: int) -> None:
        """The job `serial` reading `path` ended: the path is no longer being
        imported unless a newer job reads it again (the same file imported
        twice quickly: the second job replaces the first or follows it)."""
        if self._importing.get(path) == serial:
            del self._importing[path]

    def _import_failed(self, kind: str, serial: int, message: str) -> None:
        if self._stopped:
            return
        if kind.startswith("import:"):
            path = kind.removeprefix("import:")
            self._imported_from(path, serial)
            QMessageBox.warning(
                self.window, "My digits", f"Nothing was imported from {path}: {message}"
            )

    def export(self, path: str | None = None) -> None:
        if self.collection is None or not len(self.collection):
            return
        if path is None:
            path = save_file(
                self.window, "Export my digits", "my-digits.jsonl", STROKE_FILES
            )
        if path and self._change(lambda: self.collection.export(path)):
            self._status(f"Exported {len(self.collection)} digits to {path}")

    def _change(self, change):
        """Run a change of the collection; a failure is shown, nothing lost.
        Returns what the change returned (True for None), or None if it failed."""
        try:
            result = change()
        except (DataError, ValueError, OSError) as error:
            self._changed()  # it may have read the file again
            QMessageBox.warning(self.window, "My digits", str(error))
            return None
        self._changed()
        return True if result is None else result
