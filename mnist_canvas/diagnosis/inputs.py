"""The preprocessing check: someone's own 28×28 inputs (a .npy array or a
folder of pictures) against MNIST's statistics, each difference with its
cost: the model's accuracy on MNIST test digits given the same property.

    pictures = load_inputs("mine.npy")     # (N, 28, 28) as stored
    findings = check_inputs(bench, "mine.npy", report)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from ..ink.pictures import UNREADABLE
from .checks import EXAMPLES, Bench
from .findings import Finding, Report
from .measure import Measure, probabilities, variant
from .perturb import picture_stats, thinner, with_probes
from .probes import Probes

PICTURES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
SHAPES = "N×28×28, N×784, N×28×28×1 or N×1×28×28"


def load_inputs(path: str | os.PathLike) -> tuple[np.ndarray, list[str]]:
    """(N, 28, 28) float values as stored, and the problems met (pictures
    that are no digit, unreadable files); ValueError for inputs that cannot
    be checked at all."""
    path = Path(path)
    if path.is_dir():
        return _folder(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file or folder")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a NumPy .npy array ({error})") from None
    if array.ndim == 2 and array.shape[1] == 784:
        array = array.reshape(-1, 28, 28)
    elif array.ndim == 4 and 1 in (array.shape[1], array.shape[3]):
        array = (
            array.reshape(len(array), 28, 28)
            if array.size == len(array) * 784
            else array
        )
    elif array.ndim == 2 and array.shape == (28, 28):
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise ValueError(
            f"{path}: holds an array of shape {list(array.shape)}; the inputs "
            f"of an MNIST model are {SHAPES}"
        )
    if not len(array):
        raise ValueError(f"{path}: holds no inputs (shape {list(array.shape)})")
    if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
        raise ValueError(f"{path}: holds values that are not finite numbers")
    return array.astype(np.float32), _blank(array, lambda i: f"{path}[{i}]")


def _blank(array: np.ndarray, name) -> list[str]:
    flat = np.ptp(array.reshape(len(array), -1), axis=1) == 0
    return [f"{name(i)} is blank: no digit in it" for i in np.flatnonzero(flat)[:5]]


def _folder(folder: Path) -> tuple[np.ndarray, list[str]]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICTURES)
    if not files:
        raise ValueError(
            f"{folder}: holds no pictures ({', '.join(PICTURES)}) to check"
        )
    pictures, problems = [], []
    for file in files:
        try:
            with Image.open(file) as image:
                grey = image.convert("L")
                if grey.size != (28, 28):
                    grey = grey.resize((28, 28), Image.Resampling.BILINEAR)
                pictures.append(np.asarray(grey, np.float32))
        except UNREADABLE as error:
            problems.append(f"{file}: not a readable picture ({error})")
    if not pictures:
        raise ValueError(f"{folder}: none of its pictures can be read")
    array = np.stack(pictures)
    blank = _blank(array, lambda i: str(files[i]))
    return array, problems + blank


def _range_of(stats) -> str:
    if stats.high > 1.5:
        return "0-255"
    if stats.low < -0.7:
        return "-1-1"
    if stats.low < -0.1:
        return "mnist"
    return "0-1"


def _cost(bench: Bench, images: np.ndarray, model=None) -> float:
    _, labels = bench.sub()
    return Measure.of(probabilities(model or bench.model, images), labels).accuracy


def check_inputs(bench: Bench, path, report: Report) -> list[Finding]:
    """One finding per property of the inputs that departs from MNIST's and
    costs the model accuracy on MNIST digits given the same property."""
    theirs, problems = load_inputs(path)
    report.problems += problems
    mine = picture_stats(theirs)
    images, labels = bench.sub()
    mnist = picture_stats(images)
    base = Measure.of(bench.probs[: len(labels)], labels).accuracy
    evidence = {"inputs": mine.to_json(), "mnist": mnist.to_json(), "n": len(theirs)}
    bench.notes["inputs"] = evidence
    found = []

    def finding(cause, accuracy, what, changed=None):
        cost = 100 * (base - accuracy)
        if cost <= max(1.0, 2 * 100 * np.sqrt(0.25 / len(labels))):
            return
        summary = (
            f"Your inputs {what}. MNIST's test digits given the same property "
            f"are read {accuracy:.1%} right instead of {base:.1%}."
        )
        pictures = [
            (f"yours #{i}", _shown(theirs[i]))
            for i in range(min(EXAMPLES, len(theirs)))
        ]
        found.append(
            Finding(
                cause,
                cost,
                summary,
                {**evidence, "accuracy_given": round(accuracy, 4)},
                pictures,
            )
        )

    value_range = _range_of(mine)
    if value_range != bench.model.convention.range:
        other = variant(bench.model, range=value_range)
        finding(
            "input-range",
            _cost(bench, images, other),
            f"hold {value_range} values; the model expects "
            f"{bench.model.convention.range}",
        )
    polarity = "black-on-white" if mine.dark_ink > 0.5 else "white-on-black"
    if polarity != bench.model.convention.polarity:
        other = variant(bench.model, polarity=polarity)
        finding(
            "input-polarity",
            _cost(bench, images, other),
            f"are {polarity.replace('-', ' ')}; the model expects "
            f"{bench.model.convention.polarity.replace('-', ' ')}",
        )
    if abs(mine.box - mnist.box) >= 2:
        size = float(np.clip(100.0 * mine.box / 28, 10, 100))
        changed = with_probes(images * 255, Probes(size=size)) / 255
        finding(
            "input-size",
            _cost(bench, changed),
            f"fill a {mine.box:.0f}-px box; MNIST's digits a {mnist.box:.0f}-px one",
        )
    if mine.offset - mnist.offset >= 1.0:
        step = 100.0 * (mine.offset - mnist.offset) / 28
        changed = (
            with_probes(
                images * 255, Probes(shift_x=step * 0.7071, shift_y=step * 0.7071)
            )
            / 255
        )
        finding(
            "input-centring",
            _cost(bench, changed),
            f"sit {mine.offset:.1f} px off centre (centre of mass); MNIST's "
            f"{mnist.offset:.1f} px",
        )
    ratio = mine.stroke / max(mnist.stroke, 1e-6)
    if ratio > 1.3 or ratio < 0.77:
        if ratio > 1:
            changed = with_probes(images * 255, Probes(thickness=1.5)) / 255
        else:
            changed = np.stack([thinner(x) for x in images * 255]) / 255
        finding(
            "input-thickness",
            _cost(bench, changed),
            f"have strokes {mine.stroke:.1f} px wide; MNIST's {mnist.stroke:.1f} px",
        )
    return found


def _shown(picture: np.ndarray) -> np.ndarray:
    low, high = float(picture.min()), float(picture.max())
    return (picture - low) / (high - low) if high > low else picture * 0
