"""Latency from a drawing to probabilities (render → preprocess → model → softmax).

    python benchmarks/bench_predict.py            # a table
    python benchmarks/bench_predict.py --json     # figures as JSON on the last line

Drawings are pen digits placed on the default canvas as the app would show them
(from $MNIST_CANVAS_DATA/pen-digits when present, else generated loops), with
the default model, for 1 and 2 torch threads.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from mnist_canvas.classifier import Classifier
from mnist_canvas.drawing import Drawing
from mnist_canvas.evaluate import sample_drawings


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
    items, source = sample_drawings(args.count)
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
