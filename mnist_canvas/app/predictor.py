"""Predictions off the GUI thread, always for the newest drawing only.

The window calls `Predictor.submit(source, steps, models)` on every pointer
move. A worker thread (`jobs.LatestJobs`) takes the newest request when it is
free; requests that arrived meanwhile are simply replaced, so stale work never
queues and the answer always describes what is on the canvas now. Results come
back as a `Results` signal carrying plain data (numpy arrays and dataclasses).

Whatever one model raises while loading or answering becomes that model's
entry in `Results.errors`; the other models still answer and the thread lives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from ..models.catalogue import Catalogue
from ..models.checkpoint_file import CheckpointError
from ..models.classifier import Classifier, LoadedModels, Prediction, predict
from .jobs import LatestJobs


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
    errors: dict[str, str] = field(default_factory=dict)  # model → its fault
    problem: str | None = None  # the drawing itself could not be read: no model's


class Predictor(QObject):
    """Answers on a `LatestJobs` worker; `submit` never blocks the caller."""

    results = Signal(object)  # Results, delivered on the GUI thread

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
        self.models = LoadedModels(self.loader)  # used on the worker only
        self._serial = 0
        self.jobs = LatestJobs("predictor", self)
        self.jobs.done.connect(self._done)

    def submit(
        self, source, steps: dict[str, bool], models: tuple[str, ...], stages=True
    ) -> int:
        """Ask for predictions (with stage images if `stages`); returns the
        request's serial number."""
        self._serial += 1
        request = Request(self._serial, source, dict(steps), tuple(models), stages)
        self.jobs.submit("predict", lambda: self._answer(request))
        return self._serial

    def stop(self) -> None:
        """Finish the request in hand and end the thread (safe to call twice)."""
        self.jobs.stop()

    def _done(self, _kind: str, _serial: int, results: Results) -> None:
        self.results.emit(results)

    # -- on the worker --
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
            problem = str(error) or type(error).__name__
            return Results(request.serial, {}, errors, problem)
        return Results(request.serial, predictions, {**errors, **failed})

    def _classifier(self, name: str) -> Classifier:
        entry = self.catalogue.get(name)
        if entry is None:
            raise CheckpointError(f"No model called {name!r}")
        return self.models.get(name, entry.path)  # anew when its file changed
