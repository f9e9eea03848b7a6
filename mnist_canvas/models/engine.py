"""The one inference engine: ONNX Runtime, one session per model.

    session = session_for_checkpoint("weights/cnn-bn.safetensors")
    logits = session.run(inputs)           # (N, 1, 28, 28) float32 → (N, 10)

Our checkpoints stay the source of truth: their ONNX form is exported on first
use into the cache, under the checkpoint's content hash, so any change to a
checkpoint makes a new export and no file beside the shipped weights is ever
written (they may sit in a read-only install). Only that export needs torch;
running a model never does. The shipped checkpoints come with their exports
made already, in onnx/ beside them under the same content hash (made by
`mnist-canvas-export --ship weights/*.safetensors`, checked against
the checkpoints by the tests): a fresh install starts without torch.

Our exports have a second output, "features": what the final linear layer
reads (the model's own feature space, for nearest training digits). Running
only "logits" costs nothing more: ONNX Runtime computes what is asked for, and
the features are computed on the way to the logits anyway.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..files import atomic_write, cache_dir, content_hash

# Bump when the export changes (opset, names), so old cached exports are redone.
EXPORT_FORMAT = 2
OPSET = 17
INPUT, OUTPUT, FEATURES = "image", "logits", "features"
SHIPPED = "onnx"  # the folder beside shipped checkpoints holding their exports
# torch.onnx.export keeps global state: two threads exporting at once fail
# ("GLOBALS.in_onnx_export must be True"), and the predictor, the explorer, My
# digits and Why all load models on threads of their own.
_EXPORTING = threading.Lock()


# ONNX Runtime's code prefix and closing advice, of no use to a reader.
_ORT_PREFIX = re.compile(r"^\s*\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*")
_ORT_ADVICE = "Please fix either the inputs/outputs or the model."


def ort_words(error: Exception, limit: int = 300) -> str:
    """ONNX Runtime's message for `error` as a reader wants it: what went
    wrong, on one line, without the error code and the advice ORT adds."""
    text = " ".join(_ORT_PREFIX.sub("", str(error)).replace(_ORT_ADVICE, "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or type(error).__name__


def lower_thread_priority(steps: int = 10) -> None:
    """Make the calling thread (and the threads it starts from now on, ONNX
    Runtime's among them) yield the CPU to the rest of the app: its nice
    value raised by `steps`. Linux only (elsewhere nothing): there a thread's
    nice value is its own. It cannot be lowered again: use it on a thread
    that does background work only."""
    if not sys.platform.startswith("linux"):
        return
    try:
        thread = threading.get_native_id()
        now = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, now + steps))
    except OSError:
        pass  # a priority we may not change: the work runs as it is


class ModelError(Exception):
    """A model that cannot be exported or run; the message says which and why."""


def _with_features(model):
    """`model` returning (logits, features) when it is a sequence ending in a
    linear layer (every architecture of ours), else `model` alone."""
    import torch

    if not (isinstance(model, torch.nn.Sequential) and len(model) > 1):
        return model, [OUTPUT]
    if not isinstance(model[-1], torch.nn.Linear):
        return model, [OUTPUT]

    class Both(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.head = model[:-1], model[-1]

        def forward(self, x):
            features = self.body(x)
            return self.head(features), features

    return Both(), [OUTPUT, FEATURES]


def onnx_bytes(model) -> bytes:
    """A torch module (N, 1, 28, 28) → (N, 10) as ONNX, any batch size (and
    its features as a second output where `_with_features` finds them)."""
    import torch

    module, names = _with_features(model.eval())
    buffer = io.BytesIO()
    with _EXPORTING, torch.inference_mode():
        torch.onnx.export(
            module.eval(), torch.zeros(1, 1, 28, 28), buffer,
            input_names=[INPUT], output_names=names, opset_version=OPSET,
            dynamic_axes={name: {0: "n"} for name in [INPUT, *names]},
            dynamo=False,
        )  # fmt: skip
    return buffer.getvalue()


def shipped_onnx(path: str | os.PathLike, key: str | None = None) -> Path:
    """Where a checkpoint's export is shipped: onnx/ beside it, named by the
    checkpoint's content hash (`key`), so a changed checkpoint never meets an
    export of its old weights."""
    path = Path(path)
    key = key or export_key(path)
    return path.parent / SHIPPED / f"{path.stem}-{key}.onnx"


def export_key(path: str | os.PathLike) -> str:
    """A checkpoint's content hash and the export format."""
    return f"{content_hash(path)[:32]}-{EXPORT_FORMAT}"


def onnx_for_checkpoint(path: str | os.PathLike, shipped: bool = True) -> Path:
    """The checkpoint's ONNX export: the one shipped beside it (unless
    `shipped` is False), else the cached one, made now if missing."""
    key = export_key(path)
    if shipped and (beside := shipped_onnx(path, key)).is_file():
        return beside
    cached = cache_dir() / "onnx" / f"{key}.onnx"
    if cached.is_file():
        return cached
    from .checkpoint_file import load_checkpoint

    model, _ = load_checkpoint(path)
    data = onnx_bytes(model)
    if not cached.is_file():  # another thread may have made it meanwhile
        cached.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(cached) as tmp:
            tmp.write_bytes(data)
    return cached


def session_for_checkpoint(path: str | os.PathLike, threads: int = 1) -> Session:
    """A session on the checkpoint's cached export. A cached file ONNX Runtime
    cannot load (truncated, emptied, overwritten) is made again, once: the
    cache is ours to rebuild, and a bad one must not disable a good model."""
    cached = onnx_for_checkpoint(path)
    try:
        return Session(cached, threads)
    except ModelError:
        if cached.parent == cache_dir() / "onnx":  # a shipped one is never removed
            cached.unlink(missing_ok=True)
        return Session(onnx_for_checkpoint(path, shipped=False), threads)


class Session:
    """One ONNX Runtime session, created once; inputs and outputs are read
    from the model itself, not assumed."""

    def __init__(self, model: str | os.PathLike | bytes, threads: int = 1):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings are ours to report, not ORT's
        source = model if isinstance(model, bytes) else str(model)
        self.source, self.threads = source, threads  # the ONNX file (or bytes)
        try:
            self.session = ort.InferenceSession(
                source, options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # ORT raises its own types for bad files
            raise ModelError(
                f"ONNX Runtime cannot load it ({ort_words(error)})"
            ) from None
        self.inputs = self.session.get_inputs()
        self.outputs = self.session.get_outputs()
        self.input_name = self.inputs[0].name
        self.output_name = self.outputs[0].name

    def with_threads(self, threads: int) -> Session:
        """A session on the same model with `threads` intra-op threads (this
        one if it has them)."""
        return self if threads == self.threads else Session(self.source, threads)

    def has_output(self, name: str) -> bool:
        return any(output.name == name for output in self.outputs)

    def run(self, inputs: np.ndarray, output: str | None = None) -> np.ndarray:
        """The model's first output (or the one named) for `inputs` (made
        contiguous float32)."""
        feed = {self.input_name: np.ascontiguousarray(inputs, dtype=np.float32)}
        try:
            return self.session.run([output or self.output_name], feed)[0]
        except Exception as error:
            raise ModelError(f"running it failed ({ort_words(error)})") from None
