"""Predictions off the GUI thread, always for the newest drawing only.

The window calls `Predictor.submit(source, steps, models)` on every pointer
move. A worker thread takes the newest request when it is free; requests that
arrived meanwhile are simply replaced, so stale work never queues and the
answer always describes what is on the canvas now. Results come back as a
`Results` signal carrying plain data (numpy arrays and dataclasses).

Whatever one model raises while loading or answering becomes that model's
entry in `Results.errors`; the other models still answer and the thread lives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..models.catalogue import Catalogue
from ..models.checkpoint import CheckpointError
from ..models.classifier import Classifier, Prediction, predict


@dataclass(frozen=True)
class Request:
    serial: int
    source: object  # Drawing or a canvas-convention picture
    steps: dict[str, bool]  # the switches as shown: the active model's steps
    models: tuple[str, ...]  # the active model first
    stages: bool = True  # keep every stage's image (for the pipeline strip)


@dataclass(frozen=True)
class Results:
    serial: int
    predictions: dict[str, Prediction]
    errors: dict[str, str] = field(default_factory=dict)


class _Worker(QObject):
    finished = Signal(object)  # Results

    def __init__(self, owner: Predictor):
        super().__init__()
        self.owner = owner
        self.classifiers: dict[str, Classifier] = {}

    @Slot()
    def drain(self) -> None:
        """Answer requests until none is pending (the newest one each time)."""
        while (request := self.owner._take()) is not None:
            self.finished.emit(self._answer(request))

    def _answer(self, request: Request) -> Results:
        classifiers, errors = [], {}
        for name in request.models:
            try:
                classifiers.append(self._classifier(name))
            except Exception as error:  # one model's fault is that model's answer
                errors[name] = str(error) or type(error).__name__
        overrides = request.steps
        try:
            if classifiers and classifiers[0].name == request.models[0]:
                # The switches show the active model's steps; the others keep
                # their own recipe with the same departures from the active one's.
                overrides = classifiers[0].departures(request.steps)
            predictions, failed = predict(
                request.source, classifiers, overrides, request.stages
            )
        except Exception as error:  # the drawing itself cannot be read
            predictions = {}
            failed = {c.name: str(error) or type(error).__name__ for c in classifiers}
        return Results(request.serial, predictions, {**errors, **failed})

    def _classifier(self, name: str) -> Classifier:
        with self.owner._lock:
            classifier = self.classifiers.get(name)
        if classifier is None:
            entry = self.owner.catalogue.get(name)
            if entry is None:
                raise CheckpointError(f"No model called {name!r}")
            classifier = self.owner.loader(entry.path)
            with self.owner._lock:
                self.classifiers[name] = classifier
        return classifier


class Predictor(QObject):
    """Owns the worker thread; `submit` never blocks the caller."""

    results = Signal(object)  # Results, delivered on the GUI thread
    _wake = Signal()

    def __init__(
        self,
        catalogue: Catalogue,
        threads: int = 1,
        parent=None,
        loader: Callable[[object], Classifier] | None = None,
    ):
        super().__init__(parent)
        self.catalogue = catalogue
        # path → a Classifier (tests inject models that misbehave)
        self.loader = loader or (lambda path: Classifier.load(path, threads))
        self._lock = threading.Lock()
        self._pending: Request | None = None
        self._busy = False
        self._serial = 0
        self._thread = QThread()
        self._thread.setObjectName("predictor")
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        self._worker.finished.connect(self.results)
        # A QThread destroyed while running aborts the process: whatever path
        # the app takes to quit, stop the thread first.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread.start()

    def submit(
        self, source, steps: dict[str, bool], models: tuple[str, ...], stages=True
    ) -> int:
        """Ask for predictions (with stage images if `stages`); returns the
        request's serial number."""
        with self._lock:
            self._serial += 1
            self._pending = Request(
                self._serial, source, dict(steps), tuple(models), stages
            )
            wake = not self._busy
            self._busy = True
        if wake:
            self._wake.emit()
        return self._serial

    def forget(self, name: str) -> None:
        """Load `name` afresh next time (its file was replaced)."""
        with self._lock:
            self._worker.classifiers.pop(name, None)

    def _take(self) -> Request | None:
        with self._lock:
            request, self._pending = self._pending, None
            if request is None:
                self._busy = False
            return request

    def stop(self) -> None:
        """Finish the request in hand and end the thread (safe to call twice)."""
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
