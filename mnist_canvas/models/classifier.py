"""Drawing → probabilities: the one path every reader of a drawing takes.

    >>> clf = Classifier.load("cnn-bn")                      # doctest: +SKIP
    >>> readings, errors = predict(drawing, [clf])           # doctest: +SKIP
    >>> readings["cnn-bn"].digit                             # doctest: +SKIP
    7

`predict` (one drawing, one or more models: the app's live view and compare
view) and `predict_many` (many drawings, one model, batched: the evaluator)
are the only places that chain preprocessing, the model and softmax. Every
model runs in ONNX Runtime (`engine`), one thread by default: the app's live
path runs on one core and leaves the other to the interface.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import user_models_dir
from ..ink.drawing import Drawing
from ..pipeline.preprocess import Preprocessed, preprocess
from ..pipeline.steps import switches
from .checkpoint_file import SUFFIX, CheckpointError, read_metadata
from .convention import VALUE_STEPS, Convention, to_probabilities
from .engine import FEATURES, ModelError, Session, session_for_checkpoint
from .formats import SUFFIXES
from .registry import DEFAULT_MODEL

WEIGHTS_ENV = "MNIST_CANVAS_WEIGHTS"
# Intra-op threads of the sessions that read many digits at once (`for_batches`):
# both cores of a small machine (measured, benchmarks/bench_explorer.py).
BATCH_THREADS = 2
BATCH = 1000  # digits a batch session reads at once
FEW = 100  # inputs from which the batch session reads them


def shipped_weights_dir() -> Path:
    """Where the shipped models live: $MNIST_CANVAS_WEIGHTS, the checkout's
    weights/ folder, or the installed share/mnist-canvas/weights."""
    if os.environ.get(WEIGHTS_ENV):
        return Path(os.environ[WEIGHTS_ENV])
    checkout = Path(__file__).resolve().parents[2] / "weights"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "mnist-canvas" / "weights"


def resolve_model(name_or_path: str | os.PathLike | None) -> Path:
    """A shipped model's name (e.g. 'mlp', 'svm'), an imported model's name,
    or a checkpoint or ONNX path → its file."""
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    text = str(name_or_path)
    if text.endswith((SUFFIX, *SUFFIXES)) or os.sep in text or "/" in text:
        return Path(text)
    shipped = shipped_weights_dir() / f"{text}{SUFFIX}"
    if shipped.is_file():
        return shipped
    for onnx in (
        shipped_weights_dir() / f"{text}.onnx",
        user_models_dir() / f"{text}.onnx",
    ):
        if onnx.is_file():
            return onnx
    return shipped


def expected_steps(metadata: Mapping) -> dict[str, bool]:
    """The step switches a model was trained with (its metadata's
    `preprocessing`, the defaults for steps it does not name)."""
    return {**switches(), **metadata.get("preprocessing", {})}


def departures(
    expected: Mapping[str, bool], switched: Mapping[str, bool]
) -> dict[str, bool]:
    """The switches in `switched` that depart from the `expected` ones."""
    return {k: on for k, on in switched.items() if expected.get(k) != on}


@dataclass(frozen=True)
class Prediction:
    """Ten probabilities (None for an empty drawing) and every pipeline stage."""

    probabilities: np.ndarray | None
    preprocessed: Preprocessed

    @property
    def is_empty(self) -> bool:
        return self.probabilities is None

    @property
    def digit(self) -> int | None:
        return None if self.is_empty else int(self.probabilities.argmax())

    @property
    def confidence(self) -> float | None:
        return None if self.is_empty else float(self.probabilities.max())


class BadSource(ValueError):
    """One of many sources cannot be read; `index` says which."""

    def __init__(self, index: int, reason: str):
        super().__init__(f"item {index}: {reason}")
        self.index, self.reason = index, reason


class Classifier:
    """One model, ready to run: its name, metadata, the preprocessing it
    expects, and its ONNX Runtime session (created once). An imported model
    has a `convention` (how its tensor is made from the 28×28 input, whose
    values are then always 0–1) and an `output` kind (logits, probabilities or
    log-probabilities); ours take N×1×28×28 and return logits."""

    def __init__(
        self,
        session: Session,
        metadata: dict,
        name: str,
        convention: Convention | None = None,
        output: str = "logits",
    ):
        self.session = session
        self.metadata = metadata
        self.name = name
        self.convention, self.output = convention, output
        self.expected_steps = expected_steps(metadata)
        self._batches: Classifier | None = None

    @classmethod
    def load(
        cls, name_or_path: str | os.PathLike | None = None, threads: int = 1
    ) -> Classifier:
        """Load by shipped name or by path; raises CheckpointError or
        ModelError with the model's name and the reason."""
        path = resolve_model(name_or_path)
        if path.is_dir():
            read_metadata(path)  # says what the folder is (a SavedModel?)
        if not path.is_file():
            raise CheckpointError(f"{path}: no such model file")
        if path.suffix == ".onnx":
            from .imported import read_imported

            try:
                return cls(*read_imported(path, threads))
            except ValueError as error:
                raise ModelError(str(error)) from None
        metadata = read_metadata(path)
        try:
            session = session_for_checkpoint(path, threads)
        except (ModelError, RuntimeError, OSError) as error:
            raise ModelError(f"{path.stem}: {error}") from None
        return cls(session, metadata, path.stem)

    @classmethod
    def from_module(cls, model, metadata: dict, name: str, threads: int = 1):
        """A torch module just trained (or built), run through the engine too."""
        from .engine import onnx_bytes

        return cls(Session(onnx_bytes(model), threads), metadata, name)

    def for_batches(self) -> Classifier:
        """This model on a session with BATCH_THREADS intra-op threads, made
        once and kept: for reading many digits at once (evaluations, the
        explorer, the neighbour index), never for the live path's one digit."""
        if self._batches is None:
            session = self.session.with_threads(BATCH_THREADS)
            self._batches = self if session is self.session else Classifier(
                session, self.metadata, self.name, self.convention, self.output
            )  # fmt: skip
        return self._batches

    def steps(self, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
        """The step switches to use: the model's own, with `overrides` applied
        (a convention decides the values: the pipeline's stay 0–1)."""
        steps = {**self.expected_steps, **(overrides or {})}
        return steps if self.convention is None else {**steps, **VALUE_STEPS}

    def departures(self, switched: Mapping[str, bool]) -> dict[str, bool]:
        """The switches in `switched` that depart from this model's own recipe
        (given to other models as overrides, each keeps the rest of its own)."""
        return departures(self.expected_steps, switched)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) model inputs → (N, 10) probabilities (softmax).
        ModelError when the model answers with values that are not numbers."""
        inputs = np.asarray(inputs, dtype=np.float32)
        if self.convention is None:
            found = to_probabilities(self.session.run(inputs[:, None]))
        else:
            scores = self.session.run(self.convention.to_tensor(inputs))
            found = to_probabilities(scores, self.output)
        if not np.isfinite(found).all():  # broken or overflowing weights
            raise ModelError(
                "it answers with values that are not numbers (NaN or "
                "infinity): its weights are broken or far too large"
            )
        return found

    @property
    def feature_space(self) -> str:
        """ "features" (the layer before the classifier: ours) or "pixels"
        (imported models, whose layers we cannot name)."""
        ours = self.convention is None and self.session.has_output(FEATURES)
        return "features" if ours else "pixels"

    def features(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) model inputs → (N, d): what the model's final layer reads
        where its export names it (ours), else the input pixels (imported)."""
        inputs = np.asarray(inputs, dtype=np.float32)
        if self.feature_space == "pixels":
            return inputs.reshape(len(inputs), -1)
        features = self.session.run(inputs[:, None], FEATURES)
        return features.reshape(len(features), -1)

    def classify(self, preprocessed: Preprocessed) -> Prediction:
        """The prediction for an input already preprocessed (none if empty)."""
        if preprocessed.is_empty:
            return Prediction(None, preprocessed)
        return Prediction(self.probabilities(preprocessed.input[None])[0], preprocessed)

    def predict(
        self, source: Drawing | np.ndarray, steps: Mapping[str, bool] | None = None
    ) -> Prediction:
        """Classify one drawing or picture with this model alone."""
        readings, errors = predict(source, [self], steps)
        if errors:
            raise ModelError(errors[self.name])
        return readings[self.name]


class LoadedModels:
    """Classifiers by name, each loaded once per version of its file (a model
    retrained under its name is loaded anew; `reloaded(name)` is then told).
    One per thread that runs them."""

    def __init__(
        self,
        load: Callable[[Path], Classifier],
        reloaded: Callable[[str], None] = lambda name: None,
    ):
        self.load, self.reloaded = load, reloaded
        self._kept: dict[str, tuple[tuple, Classifier]] = {}

    def get(self, name: str, path: str | os.PathLike) -> Classifier:
        # Asked on every pointer move: one os.stat, no Path made (about 1 µs).
        try:
            info = os.stat(path)  # a file renamed over it has another inode
        except OSError as error:
            raise ModelError(f"{path} cannot be read ({error})") from None
        version = (os.fspath(path), info.st_mtime_ns, info.st_size, info.st_ino)
        kept = self._kept.get(name)
        if kept is None or kept[0] != version:
            if kept is not None:
                self.reloaded(name)
            kept = self._kept[name] = (version, self.load(Path(path)))
        return kept[1]


def predict(
    source: Drawing | np.ndarray,
    classifiers: Sequence[Classifier],
    overrides: Mapping[str, bool] | None = None,
    stages: bool = False,
) -> tuple[dict[str, Prediction], dict[str, str]]:
    """Read one drawing (or canvas-convention picture) with several models.

    Preprocesses once per distinct set of switches (each model's own, with
    `overrides`). Returns the predictions by model name, and the error of any
    model that failed (the others are still answered). A bad source raises
    ValueError for all.
    """
    readings, errors, done = {}, {}, {}
    for classifier in classifiers:
        steps = classifier.steps(overrides)
        key = tuple(sorted(steps.items()))
        if key not in done:
            done[key] = preprocess(source, steps, stages)
        try:
            readings[classifier.name] = classifier.classify(done[key])
        except Exception as error:  # any model's failure is that model's alone
            errors[classifier.name] = str(error) or type(error).__name__
    return readings, errors


def preprocess_many(
    sources: Iterable[Drawing | np.ndarray],
    classifier: Classifier,
    overrides: Mapping[str, bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The (N, 28, 28) model inputs of many drawings (zeros for an empty one)
    and the (N,) mask of the empty ones. A bad source raises BadSource naming
    its index."""
    steps = classifier.steps(overrides)
    inputs, empty = [], []
    for index, source in enumerate(sources):
        try:
            result = preprocess(source, steps)
        except ValueError as error:
            raise BadSource(index, str(error)) from None
        empty.append(result.is_empty)
        inputs.append(
            np.zeros((28, 28), np.float32) if result.is_empty else result.input
        )
    if not inputs:
        return np.zeros((0, 28, 28), np.float32), np.zeros(0, bool)
    return np.stack(inputs), np.array(empty)


def read_inputs(
    inputs: np.ndarray, empty: np.ndarray, classifier: Classifier, batch: int = BATCH
) -> np.ndarray:
    """(N, 10) probabilities of (N, 28, 28) model inputs, batched, by the
    model's batch session (`for_batches`) from FEW inputs on (fewer, as a
    probe's sweep, stay on the model's own thread, beside the live path);
    rows of empty drawings are NaN."""
    if not len(inputs):
        return np.zeros((0, 10), np.float32)
    reader = classifier.for_batches() if len(inputs) >= FEW else classifier
    out = np.concatenate(
        [
            reader.probabilities(inputs[i : i + batch])
            for i in range(0, len(inputs), batch)
        ]
    )
    out[empty] = np.nan
    return out


def predict_many(
    sources: Iterable[Drawing | np.ndarray],
    classifier: Classifier,
    overrides: Mapping[str, bool] | None = None,
    batch: int = BATCH,
) -> np.ndarray:
    """(N, 10) probabilities of many drawings, batched; rows of empty
    drawings are NaN. A bad source raises BadSource naming its index."""
    inputs, empty = preprocess_many(sources, classifier, overrides)
    return read_inputs(inputs, empty, classifier, batch)
