"""How each model reads my digits: accuracy per model and per class, off the
GUI thread, always for the newest state of the collection only.

    accuracy = DigitAccuracy(catalogue)
    accuracy.scored.connect(show)               # (tag, {model: Score})
    accuracy.submit(drawings, labels)           # every usable model; never blocks
    accuracy.submit(held, labels, ["cnn-bn", "cnn-bn-mine"], tag="held back")

A worker thread (`jobs.LatestJobs`) takes the newest request of each tag when
it is free (requests that came meanwhile are replaced), reads every digit with
each model through `predict_many` (the evaluator's own path) and emits plain
data. A model that fails is that model's row (its message), never the
others'. `stop` interrupts the scoring between models and between chunks of
digits, so closing the app waits a moment, not for thousands of digits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..diagnosis.accuracy import Result
from ..models.catalogue import Catalogue
from ..models.classifier import Classifier, LoadedModels, predict_many
from .jobs import Interrupted, LatestJobs


@dataclass(frozen=True)
class Score:
    """One model on my digits: accuracy, per-class accuracy, or its error."""

    accuracy: float | None
    per_class: list[float | None]
    n: int
    error: str | None = None


CHUNK = 64  # digits read between looks at `stop`


def score(
    classifier: Classifier,
    drawings: list,
    labels: list[int],
    stopping: Callable[[], bool] | None = None,
) -> Score:
    parts = []
    for start in range(0, len(drawings), CHUNK):
        if stopping is not None and stopping():
            raise Interrupted
        parts.append(predict_many(drawings[start : start + CHUNK], classifier))
    probabilities = np.concatenate(parts) if parts else np.zeros((0, 10))
    result = Result.from_probabilities(np.array(labels), probabilities)
    return Score(result.accuracy, result.per_class, result.n)


class DigitAccuracy(QObject):
    """Scores on a `LatestJobs` worker; `submit` never blocks the caller."""

    scored = Signal(str, object)  # tag, {model name: Score}: the newest request

    def __init__(self, catalogue: Catalogue, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        # Used on the worker only.
        self.models = LoadedModels(lambda path: Classifier.load(path, threads=1))
        self._latest: dict[str, int] = {}  # tag → the newest request's serial
        self.jobs = LatestJobs("digit-accuracy", self)
        self.jobs.done.connect(self._finished)

    def submit(
        self, drawings: list, labels: list[int], models=None, tag: str = "all"
    ) -> int:
        """Score `models` (None: every usable one) on the drawings."""
        drawings, labels = list(drawings), list(labels)
        models = None if models is None else list(models)
        self.jobs.start()  # again, after `stop`
        serial = self.jobs.submit(tag, lambda: self._scores(drawings, labels, models))
        self._latest[tag] = serial
        return serial

    def _finished(self, tag: str, serial: int, scores: dict) -> None:
        if serial == self._latest.get(tag):  # older answers: an older collection
            self.scored.emit(tag, scores)

    def stop(self) -> None:
        """End the thread within about a second, interrupting any scoring
        (safe to call twice; `submit` starts it again, and a request cut short
        is scored then unless a newer one replaced it)."""
        self.jobs.stop()

    # -- on the worker --
    def _stopping(self) -> bool:
        return self.jobs.stopping

    def _scores(self, drawings: list, labels: list[int], models) -> dict[str, Score]:
        scores = {}
        usable = self.catalogue.usable()
        for name in usable if models is None else models:
            if self.jobs.stopping:
                raise Interrupted
            path = usable.get(name)
            if path is None:
                scores[name] = Score(None, [None] * 10, 0, f"No usable model {name}")
            elif not drawings:
                scores[name] = Score(None, [None] * 10, 0)
                continue
            try:
                classifier = self.models.get(name, path)
                scores[name] = score(classifier, drawings, labels, self._stopping)
            except Interrupted:
                raise
            except Exception as error:  # one model's fault is its own row
                scores[name] = Score(None, [None] * 10, 0, str(error) or repr(error))
        return scores
