"""Diagnose a model: every check in turn, cheap ones first, as a generator
that yields each check's findings as soon as it is done (the command line
prints them, the app's window fills in; either may stop between two).

    diagnosis = Diagnosis("cause-imbalance", mnist="data/mnist")
    for step in diagnosis.steps():
        print(step.check, [f.cause for f in step.findings])
    diagnosis.report.to_json()

A problem with the inputs (a model that cannot run, a bad --inputs file)
ends up in `report.problems`; the checks that can still run, run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import DataError, default_mnist_dir, default_pen_digits
from ..data.mnist import test_arrays
from ..data.strokes import read_strokes
from ..ink.placement import place
from ..models.checkpoint_file import CheckpointError
from ..models.classifier import (
    BadSource,
    Classifier,
    preprocess_many,
    read_inputs,
    resolve_model,
)
from ..models.engine import ModelError
from ..models.registry import DEFAULT_MODEL
from . import checks
from .findings import Finding, Report
from .measure import Measure, Reference, explicit

CLEAN_IMAGES = 1000  # MNIST test images for accuracy, recall, calibration
SMALL_IMAGES = 500  # images per perturbation
PEN_DIGITS = 500  # about this many pen-drawn digits (every k-th record)
VERSION = 1  # bump when a check's images change (the reference cache's key)


@dataclass
class Step:
    check: str  # the names of the causes it looks for, e.g. "input-range"
    findings: list[Finding] = field(default_factory=list)
    done: int = 0
    total: int = 0


class Diagnosis:
    def __init__(
        self,
        model: str | os.PathLike | Classifier | None,
        mnist=None,
        strokes=None,
        inputs=None,
        threads: int = 2,
        clean: int = CLEAN_IMAGES,
        small: int = SMALL_IMAGES,
        pen: int = PEN_DIGITS,
        seed: int = 0,
        reference: str | os.PathLike | None = DEFAULT_MODEL,
    ):
        self.given = model if isinstance(model, Classifier) else None
        self.model_name = model.name if self.given else str(model or DEFAULT_MODEL)
        self.mnist = mnist if mnist is not None else default_mnist_dir()
        self.strokes = strokes if strokes is not None else default_pen_digits()
        self.inputs, self.threads, self.seed = inputs, threads, seed
        self.sizes = (clean, small, pen)
        self.reference_name = reference
        self.report = Report(Path(self.model_name).stem)

    def _load(self) -> tuple[Classifier, Reference]:
        classifier = self.given or Classifier.load(self.model_name, self.threads)
        self.report.model = classifier.name
        ref_path = resolve_model(self.reference_name)
        mine = None if self.given else resolve_model(self.model_name)
        if mine is not None and ref_path.resolve() == mine.resolve():
            return classifier, Reference(None)
        other = explicit(Classifier.load(ref_path, self.threads))
        key = "-".join(str(v) for v in (VERSION, *self.sizes, self.seed))
        return classifier, Reference(other, ref_path, key)

    def steps(self) -> Iterator[Step]:
        try:
            classifier, reference = self._load()
        except (CheckpointError, ModelError, ValueError, OSError) as error:
            self.report.problems.append(f"The model cannot run: {error}")
            return
        model = explicit(classifier)
        try:
            images, labels = test_arrays(self.mnist)
            n = self.sizes[0]
            images, labels = images[:n].astype(np.float32) / 255.0, labels[:n]
        except DataError as error:
            self.report.problems.append(str(error))
            return
        bench = checks.Bench(
            model, classifier.convention is None, reference, images, labels,
            min(self.sizes[1], len(labels)), self.seed,
        )  # fmt: skip
        if reference.model is None:
            reference.model = model
        plan = [
            ("graph", checks.check_graph, ()),
            (
                "class-imbalance, overconfidence, underconfidence",
                checks.check_clean,
                (),
            ),
            ("input-range", checks.check_range, ()),
            ("input-polarity", checks.check_polarity, ()),
            ("input-layout", checks.check_layout, ()),
            ("transposed", checks.check_transposed, ()),
            ("underfitting", checks.check_underfitting, ()),
            *[
                (f"{kind}-sensitivity", checks.check_change, (kind,))
                for kind in ("shift", "size", "rotation", "thickness")
            ],
            ("drawing-gap", self._drawings, ()),
            ("mlp, saturating-activation", checks.check_architecture, ()),
        ]
        if self.inputs is not None:
            from .inputs import check_inputs

            plan.append(("inputs", check_inputs, (self.inputs, self.report)))
        for done, (name, check, args) in enumerate(plan, 1):
            try:
                found = check(bench, *args)
            except ModelError as error:
                self.report.problems.append(f"{name}: the model failed ({error})")
                continue
            except (DataError, ValueError) as error:
                self.report.problems.append(str(error))
                continue
            if found is None:  # a check with nothing to run on
                continue
            if name != "graph":
                self.report.checks += [c.strip() for c in name.split(",")]
            if name.startswith("class-imbalance"):
                self.report.mnist = round(bench.clean.accuracy, 4)
            self.report.findings += found
            self.report.notes = bench.notes
            yield Step(name, found, done, len(plan))

    def _drawings(self, bench: checks.Bench):
        if self.strokes is None or not Path(self.strokes).is_file():
            return None  # no pen digits: the check does not run
        records = list(read_strokes(self.strokes))
        every = max(1, len(records) // self.sizes[2])
        records = records[::every][: self.sizes[2]]
        drawings = [place(r) for r in records]
        labels = np.array([r.label for r in records])
        probs, inputs = _read_drawings(bench.model, drawings)
        reference = bench.reference
        ref = reference.cached(
            "pen digits",
            lambda: Measure.of(_read_drawings(reference.model, drawings)[0], labels),
        )
        self.report.strokes = round(float((probs.argmax(axis=1) == labels).mean()), 4)
        return checks.check_drawings(bench, (probs, ref, labels, inputs))


def _read_drawings(classifier: Classifier, drawings) -> tuple[np.ndarray, np.ndarray]:
    try:
        inputs, empty = preprocess_many(drawings, classifier)
    except BadSource as error:
        raise DataError(f"pen digit {error.index}: {error.reason}") from None
    return np.nan_to_num(read_inputs(inputs, empty, classifier)), inputs
