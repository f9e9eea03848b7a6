"""Examine someone's model on MNIST: which input convention does it expect?

    model, found = examine("theirs.keras", "data/mnist", n=1000)
    print(candidates_table(found))

The command line (`python -m mnist_canvas.import_model`) and the app's import
dialog both call `examine`; the dialog shows the same table.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from ..models.convert import read_model
from ..models.detect import Detection, detect
from ..models.onnx_file import OnnxModel

DEFAULT_IMAGES = 1000


def mnist_sample(folder, n: int = DEFAULT_IMAGES) -> tuple[np.ndarray, np.ndarray]:
    """The first `n` MNIST test images (0–1, white on black) and their labels;
    DataError for a folder without MNIST."""
    from ..data.mnist import load_mnist  # torch: only once MNIST is read

    test = load_mnist(folder).test
    images = test.images[:n].numpy().astype(np.float32) / 255.0
    return images, test.labels[:n].numpy()


def examine(
    path: str | os.PathLike,
    mnist=None,
    n: int = DEFAULT_IMAGES,
    threads: int = 1,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[OnnxModel, Detection]:
    """Read (converting it to ONNX if need be) and check a model file, then try
    every candidate convention on `n` MNIST test images from the folder
    `mnist` (None: nothing measured). Raises Refused (a bad model) or
    DataError (a bad MNIST folder), or InterruptedError once `stop()` is true."""
    model = read_model(path, threads, stop)
    images, labels = (None, None) if mnist is None else mnist_sample(mnist, n)
    return model, detect(model, images, labels, stop)


def _percent(value: float | None) -> str:
    return "fails" if value is None else f"{value:7.2%}"


def _nll(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def close_call_words(found: Detection) -> str | None:
    """The close call in words, or None when the choice is clear."""
    if not found.close_call:
        return None
    return (
        f"Close call: {found.runner_up.short()} is as likely as the chosen "
        f"{found.chosen.short()} within the measurement's noise (2 standard "
        f"errors on {found.n:,} images). Check with a few drawings and pick one."
    )


def candidates_table(found: Detection) -> str:
    """The candidates, likeliest first, the chosen one marked, then in words."""
    if not found.candidates:
        lines = ["Not measured (no MNIST folder): the convention is assumed."]
    else:
        lines = [f"Candidates on {found.n:,} MNIST test images, likeliest first:"]
        lines += ["", f"  {'-log p':>7}  {'accuracy':>8}  convention"]
        for c in found.candidates:
            mark = "  ← chosen" if c.convention.short() == found.chosen.short() else ""
            lines.append(
                f"  {_nll(c.nll):>7}  {_percent(c.accuracy):>8}  "
                f"{c.convention.short()}{mark}"
            )
        lines.append("")
        lines.append(
            "-log p: the mean negative log-likelihood of the true digit "
            "(lower is better); it ranks the candidates."
        )
        if (close := close_call_words(found)) is not None:
            lines.append(close)
    why = " (declared in the file)" if found.declared else ""
    lines.append(f"The model {found.chosen.describe()}{why}.")
    lines.append(
        f"Its output: {found.output}. One digit takes {found.latency_ms:.3f} ms."
    )
    return "\n".join(lines)
