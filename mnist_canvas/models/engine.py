"""The one inference engine: ONNX Runtime, one session per model.

    session = session_for_checkpoint("weights/cnn-bn.safetensors")
    logits = session.run(inputs)           # (N, 1, 28, 28) float32 → (N, 10)

Our checkpoints stay the source of truth: their ONNX form is exported on first
use into the cache, under the checkpoint's content hash, so any change to a
checkpoint makes a new export and no file beside the shipped weights is ever
written (they may sit in a read-only install). Only that export needs torch;
running a model never does.

Our exports have a second output, "features": what the final linear layer
reads (the model's own feature space, for nearest training digits). Running
only "logits" costs nothing more: ONNX Runtime computes what is asked for, and
the features are computed on the way to the logits anyway.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..files import atomic_write, cache_dir, content_hash

# Bump when the export changes (opset, names), so old cached exports are redone.
EXPORT_FORMAT = 2
OPSET = 17
INPUT, OUTPUT, FEATURES = "image", "logits", "features"
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


def onnx_for_checkpoint(path: str | os.PathLike) -> Path:
    """The cached ONNX export of a checkpoint, made now if missing."""
    key = f"{content_hash(path)[:32]}-{EXPORT_FORMAT}"
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
        cached.unlink(missing_ok=True)
        return Session(onnx_for_checkpoint(path), threads)


class Session:
    """One ONNX Runtime session, created once; inputs and outputs are read
    from the model itself, not assumed."""

    def __init__(self, model: str | os.PathLike | bytes, threads: int = 1):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings are ours to report, not ORT's
        source = model if isinstance(model, bytes) else str(model)
        self.source = source  # the ONNX file (or bytes): its graph can be read
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
