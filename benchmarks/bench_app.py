"""Live latency of the real main window, and its start-up time.

    python benchmarks/bench_app.py            # a summary
    python benchmarks/bench_app.py --json     # figures as JSON on the last line
    python benchmarks/bench_app.py --during-training ../shared/data/mnist --json
    python benchmarks/bench_app.py --why --startup-repeats 0 --json
    python benchmarks/bench_app.py --during-personalise ../shared/data/mnist --json
    python benchmarks/bench_app.py --during-diagnose cnn-bn --json
    python benchmarks/bench_app.py --fresh-install --why --compare --json
    python benchmarks/bench_app.py --during-explorer ../shared/data/mnist --json

Drives the real MainWindow offscreen: replays pen-digit strokes (from
$MNIST_CANVAS_DATA/pen-digits when present, else generated loops) point by
point through the canvas's input path (begin/extend/end_stroke, as its mouse
and tablet handlers call them) and measures, for each point, the time until the
probability view holds the answer for that point. Start-up is the time from
launching a fresh Python process to its first window being shown. With
--during-training, a real training process (as Training ▸ Train a Model starts
it) runs on the same two cores for the whole measurement; with
--during-personalise, a personalising process (as My Digits ▸ Personalise
starts it: the default model, 30 pen digits, MNIST replayed) runs instead, given
enough steps to last the whole measurement; with --during-diagnose MODEL,
Diagnose ▸ Diagnose This Model… runs on MODEL (its checks start again if they
end before the measurement does). With --why, the Why
view is open, so attribution, neighbours, probe answers and sweeps are computed
for every point as well (the default's neighbour index answers first; with
--fresh-install it is still being built, at low priority, while the points
are measured). With --during-explorer, the misreadings explorer reads MNIST's
test set with the default model again and again for the whole measurement.
With --fresh-install, every start-up and the window measured run on an empty
cache folder of their own, as on a fresh install (no ONNX export, no index);
with --compare, the time from opening Compare (a digit drawn) until every
model's row is shown is measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np


def startup_probe() -> None:
    """Run in a child process: show the window, print when it is shown."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from mnist_canvas.app.main_window import MainWindow

    app = QApplication([])
    path = os.path.join(tempfile.mkdtemp(), "s.ini")
    window = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    window.show()

    def shown() -> None:
        print(f"SHOWN {time.time()}", flush=True)
        window.predictor.stop()
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()


def fresh_cache() -> None:
    """An empty cache folder of its own, as on a fresh install."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()


def measure_startup(repeats: int, fresh: bool = False) -> list[float]:
    times = []
    for _ in range(repeats):
        env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp()} if fresh else None
        start = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--startup-probe"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        shown = float(out.stdout.split("SHOWN ")[1].split()[0])
        times.append(shown - start)
    return times


def start_training(app, data_dir: str):
    """A real training run in its own process, as Training ▸ Train starts it."""
    from pathlib import Path

    from mnist_canvas.app.training_run import TrainingRun
    from mnist_canvas.training.fit import TrainConfig

    run = TrainingRun()
    progress = []
    run.progress.connect(progress.append)
    out = Path(tempfile.mkdtemp()) / "bench.safetensors"
    run.start(TrainConfig(epochs=50), data_dir, out)
    while not progress:  # wait until it is really training
        app.processEvents()
        if not run.is_running():
            raise SystemExit(
                "the training run did not start; is the MNIST folder right?"
            )
        time.sleep(0.01)
    return run


def start_personalising(app, data_dir: str):
    """A personalising process, as My Digits ▸ Personalise starts it, on 30 pen
    digits, with steps enough to outlast the measurement."""
    import gzip
    import itertools
    from pathlib import Path

    from mnist_canvas.app.training_run import PersonaliseRun
    from mnist_canvas.data import default_pen_digits

    pen = default_pen_digits()
    if pen is None or not pen.is_file():
        raise SystemExit(
            "--during-personalise needs the pen digits (MNIST_CANVAS_DATA)"
        )
    folder = Path(tempfile.mkdtemp())
    digits = folder / "digits.jsonl"
    with gzip.open(pen, "rt") as records:  # the first 30 records, as they are
        digits.write_text("".join(itertools.islice(records, 30)))
    out = folder / "mine.safetensors"
    run = PersonaliseRun()
    arguments = ["-m", "mnist_canvas.personalise", "--model", "cnn-bn",
                 "--digits", str(digits), "--out", str(out), "--mnist", data_dir,
                 "--steps", "100000", "--json", "--background"]  # fmt: skip
    run.launch(arguments, out)
    deadline = time.perf_counter() + 20  # loading MNIST and drawing the digits
    while time.perf_counter() < deadline:
        app.processEvents()
        if not run.is_running():
            raise SystemExit("the personalising run did not start")
        time.sleep(0.01)
    return run


def start_explorer(window, data_dir: str):
    """The explorer's reading of MNIST test by the default model, started
    again each time it ends, for the whole measurement."""
    from mnist_canvas.app.explorer_run import ExplorerRuns, Job
    from mnist_canvas.diagnosis.explore import Dataset

    runs = ExplorerRuns(window.predictor.loader)
    name = window.catalogue.default()
    job = Job.make(name, window.catalogue.get(name).path, Dataset.mnist(data_dir), {})
    runs.finished = 0

    def again(*_) -> None:
        runs.finished += 1
        runs.cache.clear()
        runs.start(job)

    runs.done.connect(again)
    runs.failed.connect(lambda job, message: print("explorer failed:", message))
    runs.start(job)
    return runs


def measure_compare(app, window) -> float:
    """Seconds from opening Compare (a digit drawn) until every usable
    model's row shows its reading."""
    from mnist_canvas.app.layout import showing

    window.canvas.add_stroke([(140, 60), (140, 220)])
    while window.probabilities.serial < window.last_serial:
        app.processEvents()
    usable = set(window.catalogue.usable())
    start = time.perf_counter()
    window.compare_dock.show()
    assert showing(window.compare_dock)

    def answered() -> bool:
        rows = {name for name, p, _ in window.compare.rows if p is not None}
        return usable <= rows

    while not answered():
        app.processEvents()
    seconds = time.perf_counter() - start
    window.compare_dock.hide()
    window.canvas.clear()
    return seconds


def measure_latency(
    count: int,
    train_data: str | None = None,
    why: bool = False,
    personalise_data: str | None = None,
    diagnose: str | None = None,
    explorer_data: str | None = None,
    compare: bool = False,
) -> tuple[list[float], str, dict]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from samples import sample_drawings

    from mnist_canvas.app.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    path = os.path.join(tempfile.mkdtemp(), "s.ini")
    window = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    window.show()
    found = {}
    if compare:
        found["compare_every_row_s"] = round(measure_compare(app, window), 3)
    if why:
        start = time.perf_counter()
        window.why.dock.show()
        strip = window.why.panel.neighbours
        window.canvas.add_stroke([(140, 60), (140, 220)])
        while len(strip.indices) < 8:  # the index answers (or is read) first
            app.processEvents()
        found["why_first_neighbours_s"] = round(time.perf_counter() - start, 3)
    run = start_training(app, train_data) if train_data else None
    explorer = start_explorer(window, explorer_data) if explorer_data else None
    if personalise_data:
        run = start_personalising(app, personalise_data)
    canvas, view = window.canvas, window.probabilities
    drawings, source = sample_drawings(count)
    times = []
    report = window.diagnose.open() if diagnose else None
    if report is not None:
        report.start(diagnose)

    def wait() -> None:
        while view.serial < window.last_serial:
            app.processEvents()
        if report is not None and not report.run.running:
            report.start(diagnose)  # keep the checks running throughout

    for drawing in drawings:
        canvas.clear()
        wait()
        for stroke in drawing.strokes:
            for i, p in enumerate(stroke.points):
                start = time.perf_counter()
                if i == 0:
                    canvas.begin_stroke(p.x, p.y, p.pressure)
                else:
                    canvas.extend_stroke(p.x, p.y, p.pressure)
                wait()
                times.append((time.perf_counter() - start) * 1000)
            canvas.end_stroke()
            wait()
    if run is not None:
        if not run.is_running():
            raise SystemExit("the background run ended before the measurement did")
        run.wait_stopped()
    if why:
        index = window.why.indexes.get(window.why.model)
        found["why_index_complete_at_end"] = bool(index is not None and index.complete)
    if explorer is not None:
        if not explorer.busy():
            raise SystemExit("the explorer ended before the measurement did")
        found["explorer_readings_done"] = explorer.finished
        explorer.stop()
    window.predictor.stop()
    window.why.stop()
    window.diagnose.stop()
    canvas.undo_stack.setClean()
    window.close()
    return times, source, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100, help="digits to replay")
    parser.add_argument("--startup-repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--during-training",
        metavar="MNIST_DIR",
        default=None,
        help="measure while a training process runs on this MNIST folder",
    )
    parser.add_argument(
        "--during-personalise",
        metavar="MNIST_DIR",
        default=None,
        help="measure while a personalising process runs (MNIST replayed from here)",
    )
    parser.add_argument(
        "--during-diagnose",
        metavar="MODEL",
        default=None,
        help="measure while Diagnose This Model runs on MODEL",
    )
    parser.add_argument(
        "--during-explorer",
        metavar="MNIST_DIR",
        default=None,
        help="measure while the explorer reads MNIST test, again and again",
    )
    parser.add_argument("--why", action="store_true", help="with the Why view open")
    parser.add_argument(
        "--fresh-install", action="store_true", help="an empty cache folder"
    )
    parser.add_argument(
        "--compare", action="store_true", help="time Compare's rows after opening"
    )
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_probe:
        startup_probe()
        return
    fresh = args.fresh_install
    startup = (
        measure_startup(args.startup_repeats, fresh) if args.startup_repeats else []
    )
    if fresh:
        fresh_cache()
    times, source, found = measure_latency(
        args.count, args.during_training, args.why, args.during_personalise,
        args.during_diagnose, args.during_explorer, args.compare,
    )  # fmt: skip
    t = np.array(times)
    figures = {
        "median_ms": round(float(np.median(t)), 3),
        "p95_ms": round(float(np.percentile(t, 95)), 3),
        "p99_ms": round(float(np.percentile(t, 99)), 3),
        "points": len(t),
        "startup_s": round(float(np.median(startup)), 3) if startup else None,
        "startup_runs_s": [round(s, 3) for s in startup],
        "source": source,
        "during_training": bool(args.during_training),
        "during_personalise": bool(args.during_personalise),
        "why_open": args.why,
        "during_diagnose": args.during_diagnose,
        "during_explorer": bool(args.during_explorer),
        "fresh_install": fresh,
        **found,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"per point: median {figures['median_ms']} ms, p95 {figures['p95_ms']} "
            f"ms, p99 {figures['p99_ms']} ms over {len(t)} points ({source})"
        )
        if startup:
            print(f"start-up to first window: {figures['startup_s']} s (median)")
        for key, value in found.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
