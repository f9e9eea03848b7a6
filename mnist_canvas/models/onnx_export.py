"""Our models as ONNX files anyone can run, with their convention inside.

    data = exported_onnx("weights/cnn-bn.safetensors")

    mnist-canvas-export --ship weights/*.safetensors

writes each checkpoint's export into onnx/ beside it (`engine.shipped_onnx`),
as the shipped models come, so that the app never needs torch to start.

The convention (N×1×28×28, MNIST-normalised, white ink on black, and the
preprocessing steps the model was trained with) and the output kind go into
the file's metadata_props, so importing the file back needs no guessing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .checkpoint_file import read_metadata
from .convention import OURS, Convention
from .engine import onnx_bytes, onnx_for_checkpoint, shipped_onnx
from .onnx_file import CONVENTION_KEY, OUTPUT_KEY


def convention_of(metadata: dict) -> Convention:
    """Our checkpoint's convention: ours (0–255 values for a model trained
    unscaled), with the steps it was trained with (the value steps belong to
    the convention)."""
    steps = {
        name: on
        for name, on in metadata.get("preprocessing", {}).items()
        if name not in ("scale", "normalize")
    }
    values = metadata.get("preprocessing", {})
    unscaled = values.get("scale") is False and values.get("normalize") is False
    value_range = "0-255" if unscaled else OURS.range  # trained with --unscaled
    return Convention(OURS.layout, value_range, OURS.polarity, steps)


def exported_onnx(path: str | os.PathLike) -> bytes:
    """A checkpoint → ONNX bytes (any batch size) with its convention inside."""
    import onnx

    model = onnx.load(str(onnx_for_checkpoint(path)))
    props = {
        CONVENTION_KEY: json.dumps(convention_of(read_metadata(path)).to_dict()),
        OUTPUT_KEY: "logits",
    }
    onnx.helper.set_model_props(model, props)
    return model.SerializeToString()


def ship_onnx(path: str | os.PathLike) -> Path:
    """Write a checkpoint's export beside it (onnx/), replacing exports of
    its earlier weights; returns the file written."""
    from ..files import atomic_write
    from .checkpoint_file import load_checkpoint

    target = shipped_onnx(path)
    target.parent.mkdir(exist_ok=True)
    for old in target.parent.glob(f"{Path(path).stem}-*.onnx"):
        if old != target and old.stem.rsplit("-", 2)[0] == Path(path).stem:
            old.unlink()
    model, _ = load_checkpoint(path)
    with atomic_write(target) as tmp:
        tmp.write_bytes(onnx_bytes(model))
    return target
