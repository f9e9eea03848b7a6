"""Any model file this app reads → one self-contained ONNX model, ready to run.

    model = read_model("mnist.keras")   # OnnxModel; model.format == "keras"
    model.data                          # ONNX bytes, weights inside

ONNX files are read with `onnx.load(path)`, which brings in weights kept in
external data files beside the graph (torch ≥ 2.9 writes `model.onnx.data`),
whatever folder the program runs in. Keras and TorchScript files are converted
by a child process (`convert_child`: torch and Keras load there, never here),
which is stopped after `TIMEOUT_S` or when `stop()` says so; nothing is kept
unless it finishes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..files import content_hash
from .formats import FORMATS_READ, model_format
from .onnx_file import OnnxModel, Refused, read_onnx

TIMEOUT_S = 300.0  # importing torch and Keras alone takes seconds on a slow machine
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def self_contained(path: Path) -> bytes:
    """An ONNX file's bytes with any external data pulled inside."""
    import onnx

    try:
        proto = onnx.load(str(path))  # a path (not bytes) resolves external data
    except Exception as error:  # a protobuf error, a missing or odd data file
        text = str(error)
        missing = re.search(r"stored in (.+?), but it is not", text)
        if isinstance(error, FileNotFoundError) or missing:
            where = Path(missing.group(1) if missing else error.filename or "").name
            raise Refused(
                f"{path.name} keeps its weights in a file beside it ({where}), "
                "which is missing: put it back beside the model"
            ) from None
        if "external" in text.lower() or isinstance(error, OSError):
            raise Refused(f"{path.name}: its external weights: {text[:300]}") from None
        raise Refused(
            f"{path.name} is not a model this app reads: it is not ONNX, nor "
            f"{FORMATS_READ.split(', ', 1)[1]} ({text[:200]})"
        ) from None
    try:
        return proto.SerializeToString()
    except ValueError as error:  # over protobuf's 2 GB
        raise Refused(f"{path.name} is too large for one file ({error})") from None


def _child_env() -> dict:
    env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


def _wait(child: subprocess.Popen, name: str, stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while child.poll() is None:
        if stop() or time.monotonic() > deadline:
            child.kill()
            child.wait()
            if stop():
                raise InterruptedError("the conversion was cancelled")
            raise Refused(
                f"converting {name} to ONNX took over {TIMEOUT_S:g} s and was "
                "stopped; export it to ONNX yourself (see docs/your-own-model.md)"
            )
        time.sleep(0.05)


def convert(path: Path, kind: str, stop: Callable[[], bool] = lambda: False) -> bytes:
    """Convert a Keras or TorchScript file in a child process; its ONNX bytes."""
    with tempfile.TemporaryDirectory(prefix="mnist-canvas-convert-") as folder:
        target = Path(folder) / "model.onnx"
        errors = Path(folder) / "errors.txt"
        command = [sys.executable, "-m", "mnist_canvas.models.convert_child"]
        with open(errors, "w", encoding="utf-8") as err:
            child = subprocess.Popen(
                [*command, kind, str(path), str(target)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=_child_env(),
            )
            _wait(child, path.name, stop)
        if child.returncode != 0 or not target.is_file():
            lines = errors.read_text(encoding="utf-8", errors="replace").splitlines()
            said = next((x for x in reversed(lines) if x.strip()), "")
            raise Refused(said or f"converting {path.name} failed ({child.returncode})")
        return self_contained(target)


def read_model(
    path: str | os.PathLike, threads: int = 1, stop: Callable[[], bool] = lambda: False
) -> OnnxModel:
    """Read any model file this app reads as a checked ONNX model; Refused
    says what the file is and how to export it when it cannot be read."""
    path = Path(path)
    kind = model_format(path)
    data = self_contained(path) if kind == "onnx" else convert(path, kind, stop)
    model = read_onnx(path, threads, data)
    model.format = kind
    model.source_hash = content_hash(path)
    return model
