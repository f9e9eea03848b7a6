"""Predictions off the GUI thread, always for the newest drawing only.

The window calls `Predictor.submit(source, steps, models)` on every pointer
move. A worker thread takes the newest request when it is free; requests that
arrived meanwhile are simply replaced, so stale work never queues and the
answer always describes what is on the canvas now. Results come back as a
`Results` signal carrying plain data (numpy arrays and dataclasses).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..models.checkpoint import CheckpointError
from ..models.classifier import Classifier, Prediction, predict


@dataclass(frozen=True)
class Request:
    serial: int
    source: object  # Drawing or a canvas-convention picture
    steps: dict[str, bool]
    models: tuple[str, ...]  # the active model first


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
            except Exception as error:  # a model that cannot load is its own error
                errors[name] = str(error)
        try:
            predictions, failed = predict(
                request.source, classifiers, request.steps, stages=True
            )
        except ValueError as error:  # the drawing itself cannot be read
            predictions, failed = {}, {c.name: str(error) for c in classifiers}
        return Results(request.serial, predictions, {**errors, **failed})

    def _classifier(self, name: str) -> Classifier:
        if name not in self.classifiers:
            path = self.owner.paths.get(name)
            if path is None:
                raise CheckpointError(f"No model called {name!r}")
            self.classifiers[name] = Classifier.load(Path(path), self.owner.threads)
        return self.classifiers[name]


class Predictor(QObject):
    """Owns the worker thread; `submit` never blocks the caller."""

    results = Signal(object)  # Results, delivered on the GUI thread
    _wake = Signal()

    def __init__(self, paths: dict[str, Path], threads: int = 1, parent=None):
        super().__init__(parent)
        self.paths = dict(paths)
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
        self.threads = threads
        # A QThread destroyed while running aborts the process: whatever path
        # the app takes to quit, stop the thread first.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread.start()

    def submit(self, source, steps: dict[str, bool], models: tuple[str, ...]) -> int:
        """Ask for predictions; returns the request's serial number."""
        with self._lock:
            self._serial += 1
            self._pending = Request(self._serial, source, dict(steps), tuple(models))
            wake = not self._busy
            self._busy = True
        if wake:
            self._wake.emit()
        return self._serial

    def add_model(self, name: str, path: Path) -> None:
        with self._lock:
            self.paths[name] = Path(path)
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
