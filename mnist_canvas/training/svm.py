"""The SVM baseline: scikit-learn's RBF `SVC`, exported to ONNX for the engine.
Its command is `mnist_canvas/train_svm.py` (`mnist-canvas-svm`).

`--tune` fits each candidate (scaler, C, gamma) on `--tune-size` training
images and prints its accuracy on a validation split carved from MNIST's
training set (the test set never chooses anything). Otherwise one pipeline
(a scaler, then the SVC inside `CalibratedClassifierCV`: Platt scaling on
3-fold cross-validated decision values gives the ten probabilities; sklearn
1.9 deprecates `SVC(probability=True)` for it) is trained, measured on MNIST
test and written as ONNX with a JSON sidecar, as an imported model is: no
pickle is ever written or read. Inputs are the pipeline's 28×28 values 0–1,
white ink on black, flattened to 784.

Exit status: 0 done, 2 bad arguments or data, 3 an existing --out was kept.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from ..data import shown_path
from ..data.mnist import validation_split
from ..files import atomic_write, write_text
from ..models.convention import Convention
from ..models.imported import sidecar_path
from ..pipeline.steps import switches

SCALERS = {
    "standard": "StandardScaler (each pixel to mean 0, std 1), as the seed does",
    "unit": "pixels 0–1 as they are (no further scaling)",
}
# (scaler, C, gamma): the seed's choice first, then the candidates it meets.
CANDIDATES = [
    ("standard", 1.0, 0.1),
    ("standard", 10.0, 0.001),
    ("standard", 10.0, 0.003),
    ("unit", 10.0, 0.01),
    ("unit", 10.0, 0.03),
    ("unit", 5.0, 0.05),
]
VAL_SIZE = 5000  # as train.py's: the same images are held out
CV = 3  # folds for the calibration's decision values
CALIBRATION = f"CalibratedClassifierCV(SVC, method='sigmoid', cv={CV}, ensemble=False)"
CONVENTION = Convention("flat", "0-1", "white-on-black", switches())
PROBABILITIES = "probabilities"


def pixels(split, count: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(N, 784) float32 values 0–1 and (N,) labels of a split's first `count`."""
    images = split.images[:count].numpy().reshape(-1, 28 * 28)
    return images.astype(np.float32) / 255.0, split.labels[:count].numpy()


def pipeline(scaler: str, c: float, gamma: float, calibrated: bool):
    """A scaler (or none), then an RBF SVC; `calibrated` wraps the SVC in
    Platt scaling fitted on 3-fold cross-validated decision values."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    svm = SVC(C=c, gamma=gamma, kernel="rbf")
    if calibrated:
        svm = CalibratedClassifierCV(svm, method="sigmoid", cv=CV, ensemble=False)
    return make_pipeline(StandardScaler(), svm) if scaler == "standard" else svm


def tune(data, size: int, val_size: int) -> list[dict]:
    """Each candidate's validation accuracy (fitted on `size` images)."""
    train, val = validation_split(data.train, VAL_SIZE, seed=0)
    x, y = pixels(train, size)
    vx, vy = pixels(val, val_size)
    rows = []
    for scaler, c, gamma in CANDIDATES:
        start = time.perf_counter()
        model = pipeline(scaler, c, gamma, calibrated=False).fit(x, y)
        accuracy = float((model.predict(vx) == vy).mean())
        rows.append({"scaler": scaler, "C": c, "gamma": gamma,
                     "val_accuracy": accuracy,
                     "seconds": round(time.perf_counter() - start, 1)})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    return rows


def to_onnx(model) -> bytes:
    """The fitted pipeline as ONNX with one output: (N, 10) probabilities."""
    from skl2onnx import to_onnx as convert

    onx = convert(
        model, np.zeros((1, 28 * 28), np.float32), options={"zipmap": False},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )  # fmt: skip
    keep = [o for o in onx.graph.output if o.name == PROBABILITIES]
    if len(keep) != 1:
        raise RuntimeError(f"no {PROBABILITIES!r} output in the converted model")
    del onx.graph.output[:]
    onx.graph.output.extend(keep)
    return onx.SerializeToString()


def metadata(args, argv, mnist, model, test_accuracy: float, seconds: float) -> dict:
    import sklearn

    calibrated = model[-1] if hasattr(model, "steps") else model
    svc = calibrated.calibrated_classifiers_[0].estimator
    return {
        "model": {"arch": "svm", "library": "scikit-learn SVC (RBF kernel)"},
        "description": args.description,
        "convention": CONVENTION.to_dict(),
        "output": "probabilities",
        "preprocessing": dict(CONVENTION.steps),
        "svm": {"scaler": args.scaler, "C": args.C, "gamma": args.gamma,
                "support_vectors": int(svc.n_support_.sum()),
                "probabilities": CALIBRATION},
        "metrics": {"mnist_test_accuracy": test_accuracy},
        "data": {"mnist": shown_path(str(mnist.source)),
                 "train_images": args.train_size, "validation": VAL_SIZE},
        "train_seconds": round(seconds, 1),
        "command": "python -m mnist_canvas.train_svm " + shlex.join(argv),
        "date": time.strftime("%Y-%m-%d"),
        "versions": {"scikit-learn": sklearn.__version__},
    }  # fmt: skip


def train(args, argv, data) -> int:
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        print(f"error: {out} exists; it was kept (pass --overwrite)", file=sys.stderr)
        return 3
    train_split, _ = validation_split(data.train, VAL_SIZE, seed=0)
    x, y = pixels(train_split, args.train_size)
    start = time.perf_counter()
    model = pipeline(args.scaler, args.C, args.gamma, calibrated=True).fit(x, y)
    seconds = time.perf_counter() - start
    tx, ty = pixels(data.test)
    accuracy = float((model.predict(tx) == ty).mean())
    meta = metadata(args, argv, data, model, accuracy, seconds)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(sidecar_path(out), json.dumps(meta, indent=2) + "\n")
    with atomic_write(out) as tmp:
        tmp.write_bytes(to_onnx(model))
    print(f"MNIST test accuracy {accuracy:.4f}; {seconds:.0f}s training on "
          f"{len(y)} images; {meta['svm']['support_vectors']} support vectors; "
          f"saved {out} ({out.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
    return 0
