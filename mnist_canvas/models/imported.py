"""Imported models: an ONNX file and its JSON sidecar in the user's models folder.

    model = read_model("theirs.keras"); found = detect(model, images, labels)
    path = save_imported(model, metadata_for(model, found), "theirs")
    Classifier.load(path)                          # runs with its convention

The stored ONNX file is self-contained, whatever the file imported was (see
`convert`). The sidecar (`NAME.onnx.json`) holds the convention, the kind of
output, the measured accuracies, every candidate's accuracy and likelihood,
the latency, the original format and a hash of the file imported, under the
same keys a checkpoint's metadata uses where they mean the same ("metrics",
"preprocessing"), so the catalogue and About read both alike.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from ..files import (
    atomic_write,
    content_hash,
    parse_json,
    user_models_dir,
    write_text,
)
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
        "convention_measured": found.measured,
        "close_call": found.close_call,
        "format": model.format,
        "output": found.output,
        "preprocessing": dict(chosen.steps),
        "metrics": {**metrics, "mnist_images": found.n},
        "latency_ms": round(found.latency_ms, 4),
        "candidates": [
            {
                "convention": c.convention.to_dict(False),
                "accuracy": c.accuracy,
                "nll": None if c.nll is None else round(c.nll, 4),
            }
            for c in found.candidates
        ],
        "input_shape": [d if isinstance(d, int) else None for d in model.shape],
        "imported_from": str(model.path),
        "source_sha256": model.source_hash,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


ORIGIN = ("format", "imported_from", "source_sha256")


def origin(metadata: dict) -> dict:
    """Where an imported model came from (kept when it is measured again)."""
    return {key: metadata[key] for key in ORIGIN if key in metadata}


def convention_assumed(metadata) -> bool:
    """Whether an imported model's convention was assumed, not measured."""
    if not isinstance(metadata, dict) or "convention" not in metadata:
        return False
    if "convention_measured" in metadata:
        return metadata["convention_measured"] is False
    # Imported before the key existed: no MNIST images measured on.
    metrics = metadata.get("metrics")
    unmeasured = isinstance(metrics, dict) and metrics.get("mnist_images") == 0
    return unmeasured and not metadata.get("convention_declared")


def _sidecars(folder: Path):
    for side in sorted(folder.glob(f"*{ONNX_SUFFIX}.json")):
        try:
            yield (
                side.name[: -len(f"{ONNX_SUFFIX}.json")],
                json.loads(side.read_text(encoding="utf-8")),
            )
        except (OSError, ValueError):
            continue


def check_source(path: str | os.PathLike, folder: Path) -> str | None:
    """Raise Refused when the very same file (by its hash, recorded in every
    sidecar) is imported already into `folder`; but when that import's
    convention was assumed, not measured, its name (importing again measures
    it and replaces the import)."""
    path = Path(path)
    if not path.is_file() or not folder.is_dir():
        return None
    digest = content_hash(path)
    for name, metadata in _sidecars(folder):
        if not isinstance(metadata, dict) or metadata.get("source_sha256") != digest:
            continue
        if convention_assumed(metadata):
            return name
        raise Refused(
            f"{path.name} is imported already, as {name!r} (the same bytes): "
            "use that model, or delete it to import the file again"
        )
    return None


def check_name(
    name: str, folder: Path, shipped: tuple[str, ...] = (), replaces: str | None = None
) -> None:
    """Raise Refused unless `name` is a plain file name free in `folder` (or
    the import being measured again, `replaces`)."""
    if not NAME.fullmatch(name):
        raise Refused(
            f"{name!r} cannot name a model: use letters, digits, '.', '_' or '-'"
        )
    taken = name in shipped or any(
        (folder / f"{name}{suffix}").exists() for suffix in (ONNX_SUFFIX, SUFFIX)
    )
    if not taken or (name == replaces and name not in shipped):
        return
    side = sidecar_path(folder / f"{name}{ONNX_SUFFIX}")
    source = _changed_source(side)
    if source is not None:
        raise Refused(
            f"a model called {name!r} exists already, imported from {source}, "
            "which has changed since: import the new version under another "
            "name (--name), or delete the old model first"
        )
    raise Refused(f"a model called {name!r} exists already: choose another name")


def _changed_source(side: Path) -> str | None:
    """The file a model was imported from, if its bytes changed since."""
    try:
        metadata = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return metadata["imported_from"] if source_changed(metadata) else None


def source_changed(metadata) -> bool:
    """Whether the file an imported model came from still exists and its bytes
    differ from those imported."""
    if not isinstance(metadata, dict) or not metadata.get("source_sha256"):
        return False
    try:
        return content_hash(metadata["imported_from"]) != metadata["source_sha256"]
    except (OSError, KeyError, TypeError):
        return False


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


def read_imported(path: str | os.PathLike, threads: int = 1) -> tuple:
    """An imported model, ready to run: (its session, metadata, name,
    convention, output kind), from its sidecar or else the convention its file
    declares; `Classifier.load` makes it a Classifier."""
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
    return model.session, metadata, path.stem, convention, output
