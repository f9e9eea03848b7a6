"""Latency from a drawing to probabilities (render → preprocess → model → softmax),
and of the model alone on one preprocessed 28×28 input, in the app's engine
(ONNX Runtime) and, for comparison, in torch.

    python benchmarks/bench_predict.py            # a table
    python benchmarks/bench_predict.py --json     # figures as JSON on the last line

Drawings are pen digits placed on the default canvas as the app would show them
(from $MNIST_CANVAS_DATA/pen-digits when present, else generated loops), with
the default model, for 1 and 2 threads.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from samples import sample_drawings

from mnist_canvas.models.classifier import Classifier


def measure(work: Callable[[Any], object], items: list, repeats: int) -> dict:
    """Milliseconds per call of `work` on each item, after a warm-up."""
    for item in items[:20]:
        work(item)
    times = []
    for _ in range(repeats):
        for item in items:
            start = time.perf_counter()
            work(item)
            times.append((time.perf_counter() - start) * 1000)
    times = np.array(times)
    return {
        "median_ms": round(float(np.median(times)), 3),
        "p95_ms": round(float(np.percentile(times, 95)), 3),
        "p99_ms": round(float(np.percentile(times, 99)), 3),
        "n": len(times),
    }


def torch_model_only(name: str | None, inputs: list, repeats: int, threads: int):
    """The same model alone in torch (BatchNorm folded), for comparison."""
    import torch
    from torch.fx.experimental.optimization import fuse

    from mnist_canvas.models.checkpoint_file import load_checkpoint
    from mnist_canvas.models.classifier import resolve_model

    model, _ = load_checkpoint(resolve_model(name))
    model = fuse(model.eval())
    torch.set_num_threads(threads)

    @torch.inference_mode()
    def run(x):
        return torch.softmax(model(torch.from_numpy(x)[:, None]), 1).numpy()

    return measure(run, inputs, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items, source = sample_drawings(args.count)
    figures = {"source": source, "engine": "onnxruntime"}
    for threads in (1, 2):
        clf = Classifier.load(args.model, threads=threads)
        inputs = [clf.predict(d).preprocessed.input[None] for d in items]
        inputs = [x for x in inputs if x is not None]
        figures["model"] = clf.name
        figures[f"threads_{threads}"] = measure(clf.predict, items, args.repeats)
        alone = measure(clf.probabilities, inputs, args.repeats)
        figures[f"model_only_threads_{threads}"] = alone
        figures[f"threads_{threads}"]["model_only"] = alone
        figures[f"torch_model_only_threads_{threads}"] = torch_model_only(
            args.model, inputs, args.repeats, threads
        )
    if args.json:
        print(json.dumps(figures))
    else:
        rows = (
            ("threads", "drawing → probabilities"),
            ("model_only_threads", "model alone, ONNX Runtime"),
            ("torch_model_only_threads", "model alone, torch"),
        )
        for what, label in rows:
            for threads in (1, 2):
                f = figures[f"{what}_{threads}"]
                print(
                    f"{figures['model']}, {label}, {threads} thread(s): median "
                    f"{f['median_ms']} ms, p95 {f['p95_ms']} ms, "
                    f"p99 {f['p99_ms']} ms (n={f['n']})"
                )


if __name__ == "__main__":
    main()
