"""Latency from a drawing to probabilities (render → preprocess → model → softmax).

    python benchmarks/bench_predict.py            # a table
    python benchmarks/bench_predict.py --json     # figures as JSON on the last line

Drawings are pen digits placed on the default canvas as the app would show them
(from $MNIST_CANVAS_DATA/pen-digits when present, else generated loops), with
the default model, for 1 and 2 torch threads.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time

import numpy as np
import torch

from mnist_canvas.classifier import Classifier
from mnist_canvas.data import default_pen_digits, read_strokes
from mnist_canvas.drawing import Drawing, Stroke
from mnist_canvas.evaluate import place


def drawings(count: int) -> tuple[list[Drawing], str]:
    path = default_pen_digits()
    if path is not None and path.is_file():
        records = itertools.islice(read_strokes(path), count)
        return [place(r) for r in records], str(path)
    loops = []
    for i in range(count):
        n = 60 + i % 60
        pts = [(140 + 60 * math.cos(t) + 20 * math.sin(3 * t), 140 + 90 * math.sin(t))
               for t in np.linspace(0, 2 * math.pi, n)]  # fmt: skip
        loops.append(Drawing(strokes=(Stroke.from_points(pts),)))
    return loops, "generated"


def measure(clf: Classifier, items: list[Drawing], repeats: int) -> dict:
    for d in items[:20]:
        clf.predict(d)
    times = []
    for _ in range(repeats):
        for d in items:
            start = time.perf_counter()
            clf.predict(d)
            times.append((time.perf_counter() - start) * 1000)
    times = np.array(times)
    return {
        "median_ms": round(float(np.median(times)), 3),
        "p95_ms": round(float(np.percentile(times, 95)), 3),
        "p99_ms": round(float(np.percentile(times, 99)), 3),
        "n": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    clf = Classifier.load(args.model)
    items, source = drawings(args.count)
    figures = {"model": clf.name, "source": source}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        figures[f"threads_{threads}"] = measure(clf, items, args.repeats)
    if args.json:
        print(json.dumps(figures))
    else:
        for threads in (1, 2):
            f = figures[f"threads_{threads}"]
            print(
                f"{clf.name}, {threads} thread(s): median {f['median_ms']} ms, "
                f"p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms (n={f['n']})"
            )


if __name__ == "__main__":
    main()
