"""How each model reads my digits: accuracy per model and per class, off the
GUI thread, always for the newest state of the collection only.

    accuracy = DigitAccuracy(catalogue)
    accuracy.scored.connect(show)               # (tag, {model: Score})
    accuracy.submit(drawings, labels)           # every usable model; never blocks
    accuracy.submit(held, labels, ["cnn-bn", "cnn-bn-mine"], tag="held back")

A worker thread (started when there is work) takes the newest request of each
tag when it is free (requests that came meanwhile are replaced), reads every
digit with each model through `predict_many` (the evaluator's own path) and
emits plain data. A model that fails is that model's row (its message), never
the others'. `stop` interrupts the scoring between models and between chunks
of digits, so closing the app waits a moment, not for thousands of digits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..diagnosis.evaluate import Result
from ..models.catalogue import Catalogue
from ..models.classifier import Classifier, LoadedModels, predict_many


@dataclass(frozen=True)
class Score:
    """One model on my digits: accuracy, per-class accuracy, or its error."""

    accuracy: float | None
    per_class: list[float | None]
    n: int
    error: str | None = None


CHUNK = 64  # digits read between looks at `stop`


class _Stopped(Exception):
    """The scoring was interrupted by `DigitAccuracy.stop`."""


def score(
    classifier: Classifier,
    drawings: list,
    labels: list[int],
    stopping: threading.Event | None = None,
) -> Score:
    parts = []
    for start in range(0, len(drawings), CHUNK):
        if stopping is not None and stopping.is_set():
            raise _Stopped
        parts.append(predict_many(drawings[start : start + CHUNK], classifier))
    probabilities = np.concatenate(parts) if parts else np.zeros((0, 10))
    result = Result.from_probabilities(np.array(labels), probabilities)
    return Score(result.accuracy, result.per_class, result.n)


class _Worker(QObject):
    finished = Signal(str, int, object)  # tag, serial, {model name: Score}

    def __init__(self, owner: DigitAccuracy):
        super().__init__()
        self.owner = owner
        self.models = LoadedModels(lambda path: Classifier.load(path, threads=1))

    @Slot()
    def drain(self) -> None:
        while (request := self.owner._take()) is not None:
            tag, serial, drawings, labels, models = request
            try:
                scores = self._scores(drawings, labels, models)
            except _Stopped:  # kept for the next start, unless a newer one came
                with self.owner._lock:
                    self.owner._pending.setdefault(tag, request)
                return
            self.finished.emit(tag, serial, scores)

    def _scores(self, drawings: list, labels: list[int], models) -> dict[str, Score]:
        scores = {}
        usable = self.owner.catalogue.usable()
        stopping = self.owner._stopping
        for name in usable if models is None else models:
            if stopping.is_set():
                raise _Stopped
            path = usable.get(name)
            if path is None:
                scores[name] = Score(None, [None] * 10, 0, f"No usable model {name}")
            elif not drawings:
                scores[name] = Score(None, [None] * 10, 0)
                continue
            try:
                classifier = self.models.get(name, path)
                scores[name] = score(classifier, drawings, labels, stopping)
            except _Stopped:
                raise
            except Exception as error:  # one model's fault is its own row
                scores[name] = Score(None, [None] * 10, 0, str(error) or repr(error))
        return scores


class DigitAccuracy(QObject):
    """Owns the worker thread; `submit` never blocks the caller."""

    scored = Signal(str, object)  # tag, {model name: Score}: the newest request
    _wake = Signal()

    def __init__(self, catalogue: Catalogue, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        self._lock = threading.Lock()
        self._pending: dict[str, tuple] = {}
        self._busy = False
        self._stopping = threading.Event()  # set by `stop`: the worker gives up
        self._serial: dict[str, int] = {}
        self._thread = QThread()
        self._thread.setObjectName("digit-accuracy")
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        self._worker.finished.connect(self._finished)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def submit(
        self, drawings: list, labels: list[int], models=None, tag: str = "all"
    ) -> int:
        """Score `models` (None: every usable one) on the drawings."""
        if not self._thread.isRunning():
            self._thread.start()
        with self._lock:
            serial = self._serial[tag] = self._serial.get(tag, 0) + 1
            models = None if models is None else list(models)
            self._pending[tag] = (tag, serial, list(drawings), list(labels), models)
            wake = not self._busy
            self._busy = True
        if wake:
            self._wake.emit()
        return serial

    def _take(self):
        with self._lock:
            if not self._pending or self._stopping.is_set():
                self._busy = False
                return None
            return self._pending.pop(next(iter(self._pending)))

    def _finished(self, tag: str, serial: int, scores: dict) -> None:
        if serial == self._serial.get(tag):  # older answers: an older collection
            self.scored.emit(tag, scores)

    def stop(self) -> None:
        """End the thread within about a second, interrupting any scoring
        (safe to call twice; `submit` starts it again, and a request cut short
        is scored then unless a newer one replaced it)."""
        if self._thread.isRunning():
            self._stopping.set()
            self._thread.quit()
            self._thread.wait()
            with self._lock:
                self._busy = False
            self._stopping.clear()
