"""Examine someone's ONNX model on MNIST: which input convention does it expect?

    model, found = examine("theirs.onnx", "data/mnist", n=1000)
    print(candidates_table(found))

The command line (`python -m mnist_canvas.import_model`) and the app's import
dialog both call `examine`; the dialog shows the same table.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from ..models.detect import Detection, detect
from ..models.onnx_file import OnnxModel, read_onnx

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
    """Read and check an ONNX file, then try every candidate convention on `n`
    MNIST test images from the folder `mnist` (None: nothing measured).
    Raises Refused (a bad model) or DataError (a bad MNIST folder), or
    InterruptedError once `stop()` is true."""
    model = read_onnx(path, threads)
    images, labels = (None, None) if mnist is None else mnist_sample(mnist, n)
    return model, detect(model, images, labels, stop)


def _percent(value: float | None) -> str:
    return "fails" if value is None else f"{value:7.2%}"


def candidates_table(found: Detection) -> str:
    """The candidates, best first, the chosen one marked, then in words."""
    if not found.candidates:
        lines = ["Not measured (no MNIST folder): the convention is assumed."]
    else:
        lines = [f"Candidates on {found.n:,} MNIST test images:", ""]
        lines.append(f"  {'accuracy':>8}  convention")
        for c in found.candidates:
            mark = "  ← chosen" if c.convention.short() == found.chosen.short() else ""
            lines.append(f"  {_percent(c.accuracy):>8}  {c.convention.short()}{mark}")
        lines.append("")
    why = " (declared in the file)" if found.declared else ""
    lines.append(f"The model {found.chosen.describe()}{why}.")
    lines.append(
        f"Its output: {found.output}. One digit takes {found.latency_ms:.3f} ms."
    )
    return "\n".join(lines)
