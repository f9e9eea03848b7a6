"""How long the misreadings explorer takes to read a data set: MNIST's test
set and the pen digits file, with the default model read as the explorer's
worker reads it (its batch session: two threads, 1,000 digits at a time), from
the files to the confusion matrix.

    python benchmarks/bench_explorer.py            # a table
    python benchmarks/bench_explorer.py --json     # figures as JSON on the last line
    python benchmarks/bench_explorer.py --model mlp --repeats 3
    python benchmarks/bench_explorer.py --threads 1   # as before batch sessions

Needs $MNIST_CANVAS_DATA (mnist/ and pen-digits/); a data set that is absent
is left out. The first MNIST reading also decompresses the IDX files into the
cache; a warm-up reading of each data set is not counted.
"""

from __future__ import annotations

import argparse
import json
import time

from mnist_canvas.data import default_mnist_dir, default_pen_digits
from mnist_canvas.diagnosis.explore import Dataset, read_dataset
from mnist_canvas.models import classifier as classifier_module
from mnist_canvas.models.classifier import BATCH_THREADS, Classifier
from mnist_canvas.models.registry import DEFAULT_MODEL


def seconds(classifier: Classifier, dataset: Dataset, repeats: int) -> dict:
    read_dataset(classifier, dataset)  # warm-up: caches, lazy imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        readings = read_dataset(classifier, dataset)
        times.append(time.perf_counter() - start)
    return {
        "items": readings.result.n,
        "accuracy": round(readings.result.accuracy, 4),
        "best_s": round(min(times), 2),
        "median_s": round(sorted(times)[len(times) // 2], 2),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL, help="default: %(default)s")
    p.add_argument("--repeats", type=int, default=3, help="default: %(default)s")
    p.add_argument("--threads", type=int, default=BATCH_THREADS,
                   help="batch session threads (default: %(default)s)")  # fmt: skip
    p.add_argument("--only", choices=["mnist", "pen"], help="one data set only")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    classifier_module.BATCH_THREADS = args.threads
    classifier = Classifier.load(args.model, threads=1)
    datasets = []
    if args.only != "pen" and default_mnist_dir() and default_mnist_dir().is_dir():
        datasets.append(Dataset.mnist(default_mnist_dir()))
    pen = args.only != "mnist" and default_pen_digits()
    if pen and pen.is_file():
        datasets.append(Dataset.strokes(default_pen_digits(), "pen digits"))
    if not datasets:
        raise SystemExit("no data: set MNIST_CANVAS_DATA")
    figures = {d.title: seconds(classifier, d, args.repeats) for d in datasets}
    for title, f in figures.items():
        print(f"{args.model} on {title}: {f['items']:,} items, best {f['best_s']} s, "
              f"median {f['median_s']} s (accuracy {f['accuracy']:.2%})")  # fmt: skip
    if args.json:
        threads = args.threads
        print(json.dumps({"model": args.model, "threads": threads, "data": figures}))


if __name__ == "__main__":
    main()
