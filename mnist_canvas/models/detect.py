"""Find the input convention a model really expects, by trying them all.

    model = read_onnx("model.onnx")
    found = detect(model, images, labels)   # MNIST test images, 0–1, white on black
    found.candidates[0]                     # the most accurate convention
    found.chosen.describe()                 # 'expects 0–255 pixel values, …'

Every range and polarity of every layout the model's input allows runs on the
same MNIST test images; the table of accuracies is the lesson: it shows what
feeding a model the wrong convention costs. Equal accuracies keep the order
of `convention.candidates`, the more common conventions first (0–1 before
0–255, MNIST-normalised and -1…1; white ink on black before black on white).
A convention written into the file (by our `export`) is chosen over the
measured best.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .convention import Convention, candidates, output_kind
from .engine import ModelError
from .onnx_file import OnnxModel, Refused

# Refused when one digit takes longer than this: the live view could not follow.
TOO_SLOW_S = 5.0
# The detection's time budget: fewer images (never under MIN_IMAGES) if slow.
BUDGET_S = 60.0
MIN_IMAGES = 100


@dataclass(frozen=True)
class Candidate:
    convention: Convention
    accuracy: float | None  # None when this layout fails to run
    problem: str | None = None


@dataclass(frozen=True)
class Detection:
    candidates: list[Candidate]  # best first; empty when nothing was measured
    chosen: Convention
    output: str  # logits, probabilities or log-probabilities
    latency_ms: float  # one digit, one thread, median
    n: int  # MNIST images measured on
    declared: bool  # chosen because the file said so

    def accuracy(self, convention: Convention) -> float | None:
        for candidate in self.candidates:
            if candidate.convention.to_dict(False) == convention.to_dict(False):
                return candidate.accuracy
        return None


def _probe(model: OnnxModel, layout: str) -> np.ndarray | str:
    """Scores of one blank digit in `layout`, or why it cannot run."""
    try:
        scores = model.session.run(
            Convention(layout).to_tensor(np.zeros((1, 28, 28), np.float32))
        )
    except ModelError as error:
        return str(error)
    size = int(np.prod(np.shape(scores)[1:]))
    if len(scores) != 1 or size != 10:
        raise Refused(
            f"{model.path.name}'s output has {size} values "
            f"(shape {list(np.shape(scores))}); an MNIST digit model has 10"
        )
    if not np.isfinite(scores).all():
        raise Refused(
            f"{model.path.name} answers a blank digit with values that are not "
            "numbers (NaN or infinity): its weights are broken"
        )
    return scores.reshape(1, 10)


def _latency_ms(model: OnnxModel, layout: str, repeats: int = 5) -> float:
    tensor = Convention(layout).to_tensor(np.zeros((1, 28, 28), np.float32))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.session.run(tensor)
        times.append(time.perf_counter() - start)
        if times[-1] > TOO_SLOW_S:
            break
    return float(np.median(times)) * 1000


def runnable_layouts(model: OnnxModel) -> tuple[list[str], dict[str, str], float]:
    """The layouts that run, why the others fail, and the latency (ms)."""
    working, failures = [], {}
    for layout in model.layouts:
        result = _probe(model, layout)
        if isinstance(result, str):
            failures[layout] = result
        else:
            working.append(layout)
    if not working:
        reasons = "; ".join(failures.values())
        raise Refused(f"{model.path.name} fails when run: {reasons}")
    latency = _latency_ms(model, working[0])
    if latency > TOO_SLOW_S * 1000:
        raise Refused(
            f"{model.path.name} is too slow: one digit takes {latency / 1000:.1f} s "
            f"(the live view needs well under {TOO_SLOW_S:.0f} s)"
        )
    return working, failures, latency


def _measure(model, convention, images, labels) -> tuple[Candidate, np.ndarray]:
    scores = np.concatenate(
        [
            model.session.run(convention.to_tensor(images[i : i + 500]))
            for i in range(0, len(images), 500)
        ]
    ).reshape(len(images), 10)
    accuracy = float((scores.argmax(axis=1) == labels).mean())
    return Candidate(convention, accuracy), scores


def detect(
    model: OnnxModel,
    images: np.ndarray | None = None,
    labels=None,
    stop: Callable[[], bool] = lambda: False,
) -> Detection:
    """Measure every candidate convention on (N, 28, 28) 0–1 white-on-black
    `images` with `labels` (none: nothing measured, the file's convention or a
    plain guess is chosen). Raises Refused for a model that cannot be used,
    InterruptedError when `stop()` says so between two candidates."""
    working, failures, latency = runnable_layouts(model)
    fallback = model.declared or Convention(working[0], "0-1", "white-on-black")
    if images is None or len(images) == 0:
        scores = model.session.run(fallback.to_tensor(np.zeros((1, 28, 28))))
        output = model.declared_output or output_kind(scores.reshape(1, 10))
        return Detection([], fallback, output, latency, 0, model.declared is not None)
    tried = candidates(working)
    affordable = BUDGET_S / max(latency / 1000 * len(tried), 1e-9)
    n = int(min(len(images), max(MIN_IMAGES, affordable)))
    images, labels = np.asarray(images[:n], np.float32), np.asarray(labels[:n])
    measured, all_scores = [], {}
    for convention in tried:
        if stop():
            raise InterruptedError("the examination was cancelled")
        candidate, all_scores[convention.short()] = _measure(
            model, convention, images, labels
        )
        measured.append(candidate)
    measured.sort(key=lambda c: -c.accuracy)  # ties: the more common first
    measured += [
        Candidate(c, None, failures[c.layout]) for c in candidates(list(failures))
    ]
    chosen = model.declared or measured[0].convention
    output = model.declared_output or output_kind(all_scores[chosen.short()])
    return Detection(measured, chosen, output, latency, n, model.declared is not None)
