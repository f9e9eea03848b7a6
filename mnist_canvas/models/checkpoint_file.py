"""Checkpoints: safetensors weights with their metadata in the same file.

    save_checkpoint(path, model, metadata)   # atomic: temp file, then rename
    model, metadata = load_checkpoint(path)  # validated; never runs code

The metadata (architecture and options, the preprocessing the model expects,
training command and config, data, measured accuracies, date, versions) is a
JSON object stored in the safetensors header under the key "mnist_canvas", so
a checkpoint describes itself and weights and metadata cannot drift apart.
Read it with `python -m mnist_canvas.checkpoint FILE`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from safetensors import SafetensorError, safe_open

from ..files import atomic_write
from .metadata import check_metadata
from .registry import ModelConfig

if TYPE_CHECKING:  # torch is loaded only to save or load weights, not to read
    from torch import nn  # what a checkpoint is (the app starts without it)

META_KEY = "mnist_canvas"
SUFFIX = ".safetensors"


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message names the file and why."""


def save_checkpoint(
    path: str | os.PathLike, model: nn.Module, metadata: dict, replace: bool = True
) -> Path:
    """Write weights + metadata to `path` atomically (never a half-written
    file); `replace=False`: never over an existing file (FileExistsError)."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, replace) as tmp:
        save_file(tensors, tmp, metadata={META_KEY: json.dumps(metadata)})
    return path


def _refuse_unsafe(path: Path) -> None:
    """Refuse anything not shaped like safetensors (8-byte header length, then
    a JSON object) before any parser sees it, naming pickles for what they are."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(9)
    except OSError as error:
        raise CheckpointError(f"{path}: cannot be read ({error})") from None
    if len(head) == 9:
        length = int.from_bytes(head[:8], "little")
        if head[8:9] == b"{" and 0 < length <= size - 8:
            return
    _refuse_foreign(path)
    if size < 9:
        raise CheckpointError(f"{path}: the file is empty or truncated")
    raise CheckpointError(f"{path}: not a safetensors file (or its header is cut off)")


def _refuse_foreign(path: Path) -> None:
    """Say what a model file of another kind is (see `formats`): how to import
    it, or why it cannot be read and how to export it."""
    from .formats import Refused, model_format

    try:
        kind = model_format(path)
    except Refused as error:
        raise CheckpointError(f"{path}: {error}") from None
    if kind != "onnx":  # ONNX is what anything unknown reads as
        raise CheckpointError(
            f"{path}: a {kind} model; import it first (it is converted to ONNX "
            f"once): python -m mnist_canvas.import_model {path}"
        )


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata of a checkpoint, without loading its weights, with every
    key the code reads checked (see `metadata`); CheckpointError otherwise."""
    path = Path(path)
    if (path / "saved_model.pb").is_file():  # a TensorFlow SavedModel folder
        _refuse_foreign(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    _refuse_unsafe(path)
    try:
        with safe_open(path, "numpy") as f:
            raw = (f.metadata() or {}).get(META_KEY)
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{path}: not a readable safetensors file ({error})"
        ) from None
    if raw is None:
        raise CheckpointError(f"{path}: has no mnist-canvas metadata")
    try:
        return check_metadata(json.loads(raw))
    except RecursionError:
        raise CheckpointError(f"{path}: its metadata is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError included
        raise CheckpointError(f"{path}: its metadata is not usable ({error})") from None


def load_checkpoint(path: str | os.PathLike) -> tuple[nn.Module, dict]:
    """The model (in eval mode) and metadata of a checkpoint, fully validated."""
    import torch

    from .architectures import build_model

    path = Path(path)
    metadata = read_metadata(path)
    model = build_model(ModelConfig.from_dict(metadata["model"]))
    expected = model.state_dict()
    try:
        with safe_open(path, "pt") as f:
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{path}: the weights cannot be read ({error})") from None
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise CheckpointError(
            f"{path}: its weights do not fit the {metadata['model']['arch']} "
            f"architecture (missing: {missing[:3]}, unexpected: {extra[:3]})"
        )
    for key, tensor in tensors.items():
        if tensor.shape != expected[key].shape:
            raise CheckpointError(
                f"{path}: weight {key} has shape {tuple(tensor.shape)}, the "
                f"architecture needs {tuple(expected[key].shape)}"
            )
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise CheckpointError(f"{path}: weight {key} holds NaN or infinity")
    model.load_state_dict(tensors)
    return model.eval(), metadata
