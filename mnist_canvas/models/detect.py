"""Find the input convention a model really expects, by trying them all.

    model = read_onnx("model.onnx")
    found = detect(model, images, labels)   # MNIST test images, 0–1, white on black
    found.candidates[0]                     # the likeliest convention
    found.chosen.describe()                 # 'expects 0–255 pixel values, …'
    found.close_call                        # the runner-up is as good, within noise

Every range and polarity of every layout the model's input allows runs on the
same MNIST test images; the table is the lesson: it shows what feeding a model
the wrong convention costs. Candidates are ranked by the mean negative
log-likelihood of the true labels (`nll`, lower is better), not by accuracy:
a ReLU network reads digits almost as well at a wrong scale, but its
probabilities then saturate, and a wrong range could win on accuracy by a few
images. When the runner-up's log-likelihood is within two standard errors of
the best one's (paired over the same images) the choice is a close call.
Equal scores keep the order of `convention.candidates`, the more common
conventions first (0–1 before 0–255, MNIST-normalised and -1…1; white ink on
black before black on white). A convention written into the file (by our
`export`) is chosen over the measured best.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .convention import Convention, candidates, output_kind, to_probabilities
from .engine import ModelError
from .onnx_file import OnnxModel, Refused

# Refused when one digit takes longer than this: the live view could not follow.
TOO_SLOW_S = 5.0
# The detection's time budget: fewer images (never under MIN_IMAGES) if slow.
BUDGET_S = 60.0
MIN_IMAGES = 100
# A probability below this counts as this (log 1e-12 ≈ -27.6): one image read
# with certainty as another digit must not outweigh every other image.
FLOOR = 1e-12
# The runner-up is a close call when within this many standard errors.
NOISE_SE = 2.0


@dataclass(frozen=True)
class Candidate:
    convention: Convention
    accuracy: float | None  # None when this layout fails to run
    problem: str | None = None
    nll: float | None = None  # mean -log p(true label); lower is likelier


@dataclass(frozen=True)
class Detection:
    candidates: list[Candidate]  # best first; empty when nothing was measured
    chosen: Convention
    output: str  # logits, probabilities or log-probabilities
    latency_ms: float  # one digit, one thread, median
    n: int  # MNIST images measured on
    declared: bool  # chosen because the file said so
    close_call: bool = False  # the runner-up is as likely, within noise
    runner_up: Convention | None = None  # the next with different readings

    @property
    def measured(self) -> bool:
        """False when the convention was assumed (no MNIST to measure on)."""
        return bool(self.candidates) or self.declared

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


def _scores(model, convention, images) -> np.ndarray:
    return np.concatenate(
        [
            model.session.run(convention.to_tensor(images[i : i + 500]))
            for i in range(0, len(images), 500)
        ]
    ).reshape(len(images), 10)


def log_likelihoods(scores: np.ndarray, output: str, labels) -> np.ndarray:
    """log p(true label) of each image, the probabilities floored at FLOOR."""
    probabilities = to_probabilities(scores, output).astype(np.float64)
    true = probabilities[np.arange(len(labels)), np.asarray(labels)]
    return np.log(np.clip(true, FLOOR, 1.0))


def _close_call(best: np.ndarray, runner_up: np.ndarray) -> bool:
    """Whether the best log-likelihoods beat the runner-up's by less than
    NOISE_SE standard errors of their mean paired difference."""
    difference = best - runner_up
    se = difference.std(ddof=1) / np.sqrt(len(difference))
    return bool(difference.mean() < NOISE_SE * se)


def _runner_up(measured, chosen, per_image) -> Convention | None:
    """The likeliest candidate after `chosen` that reads the images otherwise."""
    mine = per_image[chosen.short()]
    for candidate in measured:
        other = per_image[candidate.convention.short()]
        if np.abs(other - mine).max() > 1e-6:
            return candidate.convention
    return None


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
    measured, per_image, output = [], {}, model.declared_output
    for convention in tried:
        if stop():
            raise InterruptedError("the examination was cancelled")
        scores = _scores(model, convention, images)
        output = output or output_kind(scores)
        per_image[convention.short()] = ll = log_likelihoods(scores, output, labels)
        accuracy = float((scores.argmax(axis=1) == labels).mean())
        measured.append(Candidate(convention, accuracy, nll=float(-ll.mean())))
    measured.sort(key=lambda c: c.nll)  # ties: the more common first
    chosen = model.declared or measured[0].convention
    runner_up = _runner_up(measured, chosen, per_image)
    close = runner_up is not None and not model.declared and n > 1
    close = close and _close_call(
        per_image[chosen.short()], per_image[runner_up.short()]
    )
    measured += [
        Candidate(c, None, failures[c.layout]) for c in candidates(list(failures))
    ]
    declared = model.declared is not None
    return Detection(measured, chosen, output, latency, n, declared, close, runner_up)
