"""Time a whole diagnosis: when each check finished, the first step shown,
the whole report (MNIST loading included; the first run of a process pays
for importing torch to read MNIST).

    python benchmarks/bench_diagnose.py                  # the default model
    python benchmarks/bench_diagnose.py --model mlp --json

Needs $MNIST_CANVAS_DATA (MNIST and the pen digits).
"""

from __future__ import annotations

import argparse
import json
import time

from mnist_canvas.diagnosis.battery import Diagnosis
from mnist_canvas.models.registry import DEFAULT_MODEL


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    start = time.perf_counter()
    diagnosis = Diagnosis(args.model, threads=args.threads)
    times = {}
    for step in diagnosis.steps():
        times[step.check] = round(time.perf_counter() - start, 2)
    total = round(time.perf_counter() - start, 2)
    cpu = round(time.process_time(), 2)  # all threads of this process
    first_finding = next(
        (t for name, t in times.items() if name != "graph"), None
    )  # the first step that can show a finding
    result = {
        "model": args.model,
        "first_step_s": first_finding,
        "total_s": total,
        "cpu_s": cpu,
        "steps_s": times,
        "findings": len(diagnosis.report.findings),
        "problems": diagnosis.report.problems,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name, t in times.items():
            print(f"{t:7.2f} s  {name}")
        print(f"first step {first_finding} s, whole report {total} s "
              f"(CPU time {cpu} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
