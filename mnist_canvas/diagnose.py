"""Why is this model wrong? Every check, ranked by the accuracy at stake.

    python -m mnist_canvas.diagnose cause-imbalance
    python -m mnist_canvas.diagnose mine.onnx --inputs my-inputs.npy --html r.html
    python -m mnist_canvas.diagnose cnn-bn --mnist DIR --strokes FILE --json

MODEL is any model the app runs: a shipped, trained, personalised or imported
model's name, or a checkpoint or imported .onnx path. Findings print as each
check finishes; with --json the last line is one JSON object (model,
accuracy, findings ranked by severity, checks). Exit 0 whatever is found, 2 for
bad input (a model that cannot run, inputs of the wrong shape, an empty
folder…), after the rest of the report where it can still be made.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .cli_types import threads
from .diagnosis.battery import CLEAN_IMAGES, PEN_DIGITS, SMALL_IMAGES, Diagnosis
from .diagnosis.report_html import write_html


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mnist_canvas.diagnose",
                                description=__doc__.split("\n")[0])  # fmt: skip
    p.add_argument("model", metavar="MODEL",
                   help="model name, checkpoint or imported .onnx path")  # fmt: skip
    p.add_argument("--mnist", metavar="DIR", default=None,
                   help="folder of the MNIST IDX files "
                   "(default: $MNIST_CANVAS_DATA/mnist)")  # fmt: skip
    p.add_argument("--strokes", metavar="FILE", default=None,
                   help="pen-drawn digits, .jsonl(.gz) (default: "
                   "$MNIST_CANVAS_DATA/pen-digits/unipen1a-dev.jsonl.gz)")  # fmt: skip
    p.add_argument("--inputs", metavar="PATH", default=None,
                   help="your own 28×28 inputs: a .npy array or a folder of "
                   "pictures, checked against MNIST's statistics")  # fmt: skip
    p.add_argument("--html", metavar="OUT", default=None,
                   help="write a self-contained HTML report")  # fmt: skip
    p.add_argument("--images", type=int, default=CLEAN_IMAGES,
                   help="MNIST test images checked (default: %(default)s)")  # fmt: skip
    p.add_argument("--per-change", type=int, default=SMALL_IMAGES,
                   help="images per change (default: %(default)s)")  # fmt: skip
    p.add_argument("--pen", type=int, default=PEN_DIGITS,
                   help="pen-drawn digits checked (default: %(default)s)")  # fmt: skip
    p.add_argument("--threads", type=threads, default=2,
                   help="inference threads (default: %(default)s)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    diagnosis = Diagnosis(
        args.model, args.mnist, args.strokes, args.inputs, args.threads,
        args.images, args.per_change, args.pen,
    )  # fmt: skip
    report = diagnosis.report
    start = time.perf_counter()
    for step in diagnosis.steps():
        took = time.perf_counter() - start
        found = ", ".join(f"{f.cause} {f.severity:.1f}" for f in step.findings)
        print(f"[{took:5.1f} s] {step.check}: {found or 'nothing found'}",
              file=sys.stderr if args.json else sys.stdout, flush=True)  # fmt: skip
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if not args.json:
        print()
        print(report.verdict())
        for f in report.ranked():
            print(
                f"\n{f.cause} — {f.severity:.1f} points\n  {f.summary}\n  Fix: {f.fix}"
            )
    if args.html:
        try:
            write_html(args.html, report)
        except OSError as error:
            report.problems.append(f"{args.html}: cannot be written ({error})")
            print(f"error: {report.problems[-1]}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json()))
    return 2 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
