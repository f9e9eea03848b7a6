"""How each model reads my digits: accuracy per model and per class, off the
GUI thread, always for the newest state of the collection only.

    accuracy = DigitAccuracy(catalogue)
    accuracy.scored.connect(show)               # (tag, {model: Score})
    accuracy.submit(drawings, labels, digits)   # every usable model
    accuracy.submit(held, labels, models=["cnn-bn", "cnn-bn-mine"], tag="held back")

A worker thread (`jobs.LatestJobs`) takes the newest request of each tag when
it is free (requests that came meanwhile are replaced), reads every digit with
each model through `predict_many` (the evaluator's own path) and emits plain
data. A personalised model is read only on the digits it did not learn
from: given the digits themselves (`LabelledDrawing`s), those whose
`fingerprint` its metadata lists (`learned_from`) are left out and counted
(`Score.learned`); the fingerprints are made on the worker, and only when a
model has such a list. A model that fails is that model's row (its message),
never the others'. `stop` interrupts the scoring between models and between
chunks of digits, so closing the app waits a moment, not for thousands of
digits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..data.strokes import fingerprint
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
    learned: int = 0  # digits left out because the model learned from them


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
        self, drawings: list, labels: list[int], digits=None, models=None,
        tag: str = "all",
    ) -> int:  # fmt: skip
        """Score `models` (None: every usable one) on the drawings; given the
        `digits` they were drawn from, each model without those it learned
        from."""
        drawings, labels = list(drawings), list(labels)
        digits = None if digits is None else list(digits)
        models = None if models is None else list(models)
        self.jobs.start()  # again, after `stop`
        serial = self.jobs.submit(
            tag, lambda: self._scores(drawings, labels, models, digits)
        )
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

    def _unlearned(self, name: str, fingerprints) -> list[int] | None:
        """The places of the digits model `name` did not learn from; None if
        it learned from none of them (or they are not known)."""
        entry = self.catalogue.get(name)
        learned = (entry.metadata or {}).get("learned_from") if entry else None
        if not isinstance(learned, list) or not learned:
            return None
        learned = set(learned)
        kept = [i for i, f in enumerate(fingerprints()) if f not in learned]
        return None if len(kept) == len(fingerprints()) else kept

    def _scores(
        self, drawings: list, labels: list[int], models, digits=None
    ) -> dict[str, Score]:
        scores = {}
        usable = self.catalogue.usable()

        @functools.cache
        def fingerprints() -> list[str]:
            return [fingerprint(d) for d in digits] if digits else []

        for name in usable if models is None else models:
            if self.jobs.stopping:
                raise Interrupted
            path = usable.get(name)
            if path is None:
                scores[name] = Score(None, [None] * 10, 0, f"No usable model {name}")
                continue
            kept = self._unlearned(name, fingerprints)
            these, their_labels = drawings, labels
            if kept is not None:
                these = [drawings[i] for i in kept]
                their_labels = [labels[i] for i in kept]
            learned = len(drawings) - len(these)
            if not these:
                scores[name] = Score(None, [None] * 10, 0, learned=learned)
                continue
            try:
                classifier = self.models.get(name, path)
                scores[name] = replace(
                    score(classifier, these, their_labels, self._stopping),
                    learned=learned,
                )
            except Interrupted:
                raise
            except Exception as error:  # one model's fault is its own row
                scores[name] = Score(None, [None] * 10, 0, str(error) or repr(error))
        return scores
