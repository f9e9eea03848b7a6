"""Checkpoints: safetensors weights with their metadata in the same file.

    save_checkpoint(path, model, metadata)   # atomic: temp file, then rename
    model, metadata = load_checkpoint(path)  # validated; never runs code

The metadata (architecture and options, the preprocessing the model expects,
training command and config, data, measured accuracies, date, versions) is a
JSON object stored in the safetensors header under the key "mnist_canvas", so
a checkpoint describes itself and weights and metadata cannot drift apart.
Read it with `python -m mnist_canvas.checkpoint FILE` (`--table FILE...` prints
Markdown rows, as in the README).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import nn

from .models import ModelConfig, build_model

META_KEY = "mnist_canvas"
SUFFIX = ".safetensors"


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message names the file and why."""


def save_checkpoint(path: str | os.PathLike, model: nn.Module, metadata: dict) -> Path:
    """Write weights + metadata to `path` atomically (never a half-written file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={META_KEY: json.dumps(metadata)})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _refuse_unsafe(path: Path) -> None:
    """Refuse anything not shaped like safetensors (8-byte header length, then
    a JSON object) before any parser sees it, naming pickles for what they are."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) == 9:
        length = int.from_bytes(head[:8], "little")
        if head[8:9] == b"{" and 0 < length <= size - 8:
            return
    if head.startswith(b"PK") or head[:1] == b"\x80":
        raise CheckpointError(
            f"{path}: this is a pickle (torch.save) file, not safetensors; it is "
            "refused because loading a pickle can run arbitrary code"
        )
    if size < 9:
        raise CheckpointError(f"{path}: the file is empty or truncated")
    raise CheckpointError(f"{path}: not a safetensors file (or its header is cut off)")


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata of a checkpoint, without loading its weights."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    _refuse_unsafe(path)
    try:
        with safe_open(path, "pt") as f:
            raw = (f.metadata() or {}).get(META_KEY)
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{path}: not a readable safetensors file ({error})"
        ) from None
    if raw is None:
        raise CheckpointError(f"{path}: has no mnist-canvas metadata")
    try:
        metadata = json.loads(raw)
        ModelConfig.from_dict(metadata["model"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: its metadata is not usable ({error})") from None
    return metadata


def load_checkpoint(path: str | os.PathLike) -> tuple[nn.Module, dict]:
    """The model (in eval mode) and metadata of a checkpoint, fully validated."""
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


def table_row(path: Path, metadata: dict) -> str:
    """One Markdown table row: model, parameters, accuracies, training time."""
    metrics = metadata.get("metrics", {})

    def percent(key: str) -> str:
        value = metrics.get(key)
        return "–" if value is None else f"{value:.2%}"

    minutes = metadata.get("train_seconds", 0) / 60
    return (
        f"| {path.stem} | {metadata.get('parameters', 0):,} | "
        f"{percent('mnist_test_accuracy')} | {percent('pen_dev_accuracy')} | "
        f"{percent('pen_heldout_writers_accuracy')} | {minutes:.1f} min | "
        f"`{metadata.get('command', '')}` |"
    )


def main(argv: list[str] | None = None) -> int:
    """Print checkpoints' metadata as JSON, or with --table as Markdown rows."""
    parser = argparse.ArgumentParser(
        prog="python -m mnist_canvas.checkpoint",
        description="Show what a checkpoint says about itself.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--table", action="store_true", help="as Markdown rows")
    args = parser.parse_args(argv)
    if args.table:
        print(
            "| model | parameters | MNIST test | pen digits (dev) | pen digits, "
            "unseen writers | training time | command |"
        )
        print("|---|---|---|---|---|---|---|")
    for name in args.files:
        try:
            metadata = read_metadata(name)
        except CheckpointError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(
            table_row(Path(name), metadata)
            if args.table
            else json.dumps(metadata, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
