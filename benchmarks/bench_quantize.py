"""What int8 would buy: a shipped model as ONNX Runtime runs it today (float)
against the same graph quantised by ONNX Runtime's static quantisation (QDQ,
weights per channel, activations calibrated on MNIST training images).

    python benchmarks/bench_quantize.py --model cnn-bn-wide-x2 --json

Reports the model alone on one thread (median of single-image runs, as
bench_predict's `model_only`), MNIST test accuracy, how often the two read a
test digit the same and how far their probabilities differ, and, when the
pen digits are there, both through the app's path on them (placed at random,
seed 1, brushes 6, 14 and 28: misread of all). The app does not quantise:
this measures whether it should. Needs MNIST ($MNIST_CANVAS_DATA/mnist);
exit status 2 without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mnist_canvas.data import DataError, default_mnist_dir, default_pen_digits
from mnist_canvas.data.mnist import load_mnist
from mnist_canvas.diagnosis.accuracy import collect, stroke_chunks
from mnist_canvas.models.checkpoint_file import read_metadata
from mnist_canvas.models.classifier import Classifier, resolve_model
from mnist_canvas.models.engine import Session, onnx_for_checkpoint
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.pipeline.steps import model_values


def quantised(source: Path, calibration: np.ndarray, out: Path) -> Path:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Batches(CalibrationDataReader):
        def __init__(self, name: str):
            self.batches = iter(
                {name: calibration[i : i + 32]} for i in range(0, len(calibration), 32)
            )

        def get_next(self):
            return next(self.batches, None)

    prepared = out.with_suffix(".prepared.onnx")
    quant_pre_process(str(source), str(prepared))
    quantize_static(
        str(prepared), str(out), Batches(_session(source).get_inputs()[0].name),
        quant_format=QuantFormat.QDQ, per_channel=True,
        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
    )  # fmt: skip
    return out


def _session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def measure(path: Path, test: np.ndarray, repeats: int) -> tuple[np.ndarray, float]:
    """(test probabilities, median ms of one image alone)."""
    session = _session(path)
    name, logits = session.get_inputs()[0].name, session.get_outputs()[0].name
    batches = (test[i : i + 500] for i in range(0, len(test), 500))
    out = np.concatenate([session.run([logits], {name: b})[0] for b in batches])
    one = test[:1]
    for _ in range(50):
        session.run([logits], {name: one})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.run([logits], {name: one})
        times.append(time.perf_counter() - start)
    e = np.exp(out - out.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True), float(np.median(times) * 1000)


def pen_misread(path: Path, checkpoint: Path, pen: Path) -> dict[str, int]:
    """Pen digits misread through the app's path, by brush (random placement)."""
    model = Classifier(Session(str(path), 1), read_metadata(checkpoint), "measured")
    return {
        f"{brush:g}": len(collect(stroke_chunks(model, pen, how="random", seed=1,
                                                brush=brush)).errors)
        for brush in (6.0, 14.0, 28.0)
    }  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL, help="a shipped model's name")
    p.add_argument("--calibration", type=int, default=512,
                   help="MNIST training images that set activation ranges")  # fmt: skip
    p.add_argument("--repeats", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    try:
        if default_mnist_dir() is None:
            raise DataError("set MNIST_CANVAS_DATA to the folder holding mnist/")
        data = load_mnist(default_mnist_dir())
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    checkpoint = resolve_model(args.model)

    def inputs(images) -> np.ndarray:  # as the evaluator feeds our models
        return model_values(images.numpy().astype(np.float32), True, True)[:, None]

    source = onnx_for_checkpoint(checkpoint)
    with tempfile.TemporaryDirectory() as folder:
        small = quantised(source, inputs(data.train.images[: args.calibration]),
                          Path(folder) / "int8.onnx")  # fmt: skip
        test, labels = inputs(data.test.images), data.test.labels.numpy()
        full, full_ms = measure(source, test, args.repeats)
        int8, int8_ms = measure(small, test, args.repeats)
        pen = default_pen_digits()
        if pen is not None and pen.is_file():
            pens = [pen_misread(p, checkpoint, pen) for p in (source, small)]
        else:
            pens = [None, None]
    result = {
        "model": args.model, "calibration_images": args.calibration,
        "float": {"model_only_median_ms": full_ms,
                  "mnist_test_accuracy": float((full.argmax(1) == labels).mean()),
                  "pen_misread_by_brush": pens[0]},
        "int8": {"model_only_median_ms": int8_ms,
                 "mnist_test_accuracy": float((int8.argmax(1) == labels).mean()),
                 "pen_misread_by_brush": pens[1]},
        "same_digit_read": float((full.argmax(1) == int8.argmax(1)).mean()),
        "largest_probability_difference": float(np.abs(full - int8).max()),
    }  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        for kind in ("float", "int8"):
            r = result[kind]
            print(f"{kind}: {r['model_only_median_ms']:.3f} ms, "
                  f"MNIST test {r['mnist_test_accuracy']:.2%}, "
                  f"pen misread by brush {r['pen_misread_by_brush']}")  # fmt: skip
        same, most = result["same_digit_read"], result["largest_probability_difference"]
        print(f"same digit read on {same:.3%} of MNIST test; "
              f"probabilities differ by up to {most:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
