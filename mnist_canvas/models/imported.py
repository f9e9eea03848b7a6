"""Imported models: an ONNX file and its JSON sidecar in the user's models folder.

    model = read_onnx("theirs.onnx"); found = detect(model, images, labels)
    path = save_imported(model, found, "theirs")   # → user_models_dir()/theirs.onnx
    Classifier.load(path)                          # runs with its convention

The sidecar (`NAME.onnx.json`) holds the convention, the kind of output, the
measured accuracies, every candidate's accuracy and the latency, under the same
keys a checkpoint's metadata uses where they mean the same ("metrics",
"preprocessing"), so the catalogue and About read both alike.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from ..files import atomic_write, parse_json, user_models_dir, write_text
from .checkpoint_file import SUFFIX
from .convention import OUTPUTS, Convention
from .detect import Detection
from .metadata import check_shared
from .onnx_file import OnnxModel, Refused, read_onnx

ONNX_SUFFIX = ".onnx"
ARCH = "imported ONNX"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def sidecar_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".json")


def metadata_for(
    model: OnnxModel, found: Detection, chosen: Convention | None = None
) -> dict:
    """The sidecar's content for `model` with the `chosen` convention."""
    chosen = chosen or found.chosen
    accuracy = found.accuracy(chosen)
    metrics = {} if accuracy is None else {"mnist_test_accuracy": accuracy}
    return {
        "model": {"arch": ARCH},
        "convention": chosen.to_dict(),
        "convention_declared": found.declared and chosen == found.chosen,
        "output": found.output,
        "preprocessing": dict(chosen.steps),
        "metrics": {**metrics, "mnist_images": found.n},
        "latency_ms": round(found.latency_ms, 4),
        "candidates": [
            {"convention": c.convention.to_dict(False), "accuracy": c.accuracy}
            for c in found.candidates
        ],
        "input_shape": [d if isinstance(d, int) else None for d in model.shape],
        "imported_from": str(model.path),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def check_name(name: str, folder: Path, shipped: tuple[str, ...] = ()) -> None:
    """Raise Refused unless `name` is a plain file name free in `folder`."""
    if not NAME.fullmatch(name):
        raise Refused(
            f"{name!r} cannot name a model: use letters, digits, '.', '_' or '-'"
        )
    taken = name in shipped or any(
        (folder / f"{name}{suffix}").exists() for suffix in (ONNX_SUFFIX, SUFFIX)
    )
    if taken:
        raise Refused(f"a model called {name!r} exists already: choose another name")


def save_imported(
    model: OnnxModel, metadata: dict, name: str, folder: Path | None = None
) -> Path:
    """Write NAME.onnx and its sidecar (sidecar first: an ONNX file without one
    is never half-imported); returns the ONNX file's path."""
    folder = user_models_dir() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}{ONNX_SUFFIX}"
    write_text(sidecar_path(path), json.dumps(metadata, indent=2) + "\n")
    with atomic_write(path) as tmp:
        tmp.write_bytes(model.data)
    return path


def read_sidecar(path: str | os.PathLike) -> dict:
    """An imported model's metadata; ValueError saying what is wrong."""
    side = sidecar_path(path)
    try:
        metadata = parse_json(side.read_text(encoding="utf-8"), "not JSON")
    except FileNotFoundError:
        raise ValueError(
            f"{path}: no {side.name} beside it; import it with "
            f"python -m mnist_canvas.import_model {path}"
        ) from None
    except (OSError, ValueError) as error:
        raise ValueError(f"{side}: not readable JSON ({error})") from None
    try:
        check_shared(metadata)
    except ValueError as error:
        raise ValueError(f"{side}: {error}") from None
    Convention.from_dict(metadata.get("convention"))  # raises with the reason
    if metadata.get("output", "logits") not in OUTPUTS:
        raise ValueError(f"{side}: unknown output kind {metadata.get('output')!r}")
    return metadata


def load_imported(path: str | os.PathLike, threads: int = 1):
    """An imported model (its sidecar, or else the convention its file
    declares) as a Classifier."""
    from .classifier import Classifier

    path = Path(path)
    try:
        model = read_onnx(path, threads)
    except Refused as error:
        raise ValueError(str(error)) from None
    if sidecar_path(path).is_file() or model.declared is None:
        metadata = read_sidecar(path)
        convention = Convention.from_dict(metadata["convention"])
        output = metadata.get("output", "logits")
    else:
        convention, output = model.declared, model.declared_output or "logits"
        metadata = {"model": {"arch": ARCH}, "convention": convention.to_dict()}
        metadata["preprocessing"] = dict(convention.steps)
    return Classifier(model.session, metadata, path.stem, convention, output)
