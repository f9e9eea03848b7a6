"""The one inference engine: ONNX Runtime, one session per model.

    session = Session(onnx_for_checkpoint("weights/cnn-bn.safetensors"))
    logits = session.run(inputs)           # (N, 1, 28, 28) float32 → (N, 10)

Our checkpoints stay the source of truth: their ONNX form is exported on first
use into the cache, under the checkpoint's content hash, so any change to a
checkpoint makes a new export and no file beside the shipped weights is ever
written (they may sit in a read-only install). Only that export needs torch;
running a model never does.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..files import atomic_write, cache_dir

# Bump when the export changes (opset, names), so old cached exports are redone.
EXPORT_FORMAT = 1
OPSET = 17
INPUT, OUTPUT = "image", "logits"


class ModelError(Exception):
    """A model that cannot be exported or run; the message says which and why."""


def content_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_bytes(model) -> bytes:
    """A torch module (N, 1, 28, 28) → (N, 10) as ONNX, any batch size."""
    import torch

    buffer = io.BytesIO()
    with torch.inference_mode():
        torch.onnx.export(
            model.eval(), torch.zeros(1, 1, 28, 28), buffer,
            input_names=[INPUT], output_names=[OUTPUT], opset_version=OPSET,
            dynamic_axes={INPUT: {0: "n"}, OUTPUT: {0: "n"}}, dynamo=False,
        )  # fmt: skip
    return buffer.getvalue()


def onnx_for_checkpoint(path: str | os.PathLike) -> Path:
    """The cached ONNX export of a checkpoint, made now if missing."""
    key = f"{content_hash(path)[:32]}-{EXPORT_FORMAT}"
    cached = cache_dir() / "onnx" / f"{key}.onnx"
    if cached.is_file():
        return cached
    from .checkpoint import load_checkpoint

    model, _ = load_checkpoint(path)
    data = onnx_bytes(model)
    cached.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(cached) as tmp:
        tmp.write_bytes(data)
    return cached


class Session:
    """One ONNX Runtime session, created once; inputs and outputs are read
    from the model itself, not assumed."""

    def __init__(self, model: str | os.PathLike | bytes, threads: int = 1):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings are ours to report, not ORT's
        source = model if isinstance(model, bytes) else str(model)
        try:
            self.session = ort.InferenceSession(
                source, options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # ORT raises its own types for bad files
            raise ModelError(f"ONNX Runtime cannot load it ({error})") from None
        self.inputs = self.session.get_inputs()
        self.outputs = self.session.get_outputs()
        self.input_name = self.inputs[0].name
        self.output_name = self.outputs[0].name

    def run(self, inputs: np.ndarray) -> np.ndarray:
        """The model's first output for `inputs` (made contiguous float32)."""
        feed = {self.input_name: np.ascontiguousarray(inputs, dtype=np.float32)}
        try:
            return self.session.run([self.output_name], feed)[0]
        except Exception as error:
            raise ModelError(f"running it failed ({error})") from None
