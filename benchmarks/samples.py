"""Realistic drawings for the benchmarks: pen digits when the data is there."""

from __future__ import annotations

import itertools

import numpy as np

from mnist_canvas.data import default_pen_digits
from mnist_canvas.data.strokes import read_strokes
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.ink.placement import place


def sample_drawings(count: int) -> tuple[list[Drawing], str]:
    """`count` realistic drawings on the default canvas, and where they came
    from: pen digits from $MNIST_CANVAS_DATA when present, else generated loops."""
    path = default_pen_digits()
    if path is not None and path.is_file():
        records = itertools.islice(read_strokes(path), count)
        return [place(r) for r in records], str(path)
    loops = []
    for i in range(count):
        n = 60 + i % 60
        t = np.linspace(0, 2 * np.pi, n)
        xs, ys = 140 + 60 * np.cos(t) + 20 * np.sin(3 * t), 140 + 90 * np.sin(t)
        loops.append(Drawing(strokes=(Stroke.from_points(zip(xs, ys, strict=True)),)))
    return loops, "generated"
