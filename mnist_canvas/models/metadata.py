"""A checkpoint's metadata, checked key by key before anything reads it.

    metadata = check_metadata(json.loads(text))   # ValueError names the key

Every key the app, the evaluator and `python -m mnist_canvas.checkpoint` read
is checked for its type here, so later code may index it without guarding:
`model` (required, a ModelConfig), `preprocessing` (step name → true/false),
`metrics` (name → number or null), `parameters`, `epochs_run`,
`train_seconds`, `command`, `description` (one line: what the model
shows), `date`, `training` (its `augment` a list of
names), `data` and `versions`. Other keys are kept as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..pipeline.steps import STEP_NAMES
from .registry import ModelConfig


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_text(value: object) -> bool:
    return isinstance(value, str)


# key → (test, what the value must be)
SCALARS: dict[str, tuple[Callable[[object], bool], str]] = {
    "parameters": (_is_count, "a whole number ≥ 0"),
    "epochs_run": (_is_count, "a whole number ≥ 0"),
    "train_seconds": (lambda v: _is_number(v) and v >= 0, "a number ≥ 0"),
    "command": (_is_text, "a string"),
    "description": (_is_text, "a string"),
    "date": (_is_text, "a string"),
}


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(metadata: dict, key: str) -> dict:
    value = metadata.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"'{key}' must be an object, not {_show(value)}")
    return value


def _check_model(metadata: dict) -> None:
    if "model" not in metadata:
        raise ValueError("'model' is missing")
    model = _object(metadata, "model")
    for key in ("arch", "activation"):
        if key in model and not isinstance(model[key], str):
            raise ValueError(f"'model.{key}' must be a string, not {_show(model[key])}")
    dropout = model.get("dropout")
    if dropout is not None and not isinstance(dropout, bool):
        raise ValueError(
            f"'model.dropout' must be true, false or null, not {_show(dropout)}"
        )
    if "arch" not in model:
        raise ValueError("'model.arch' is missing")
    ModelConfig.from_dict(model)  # a known architecture and activation


def _check_preprocessing(metadata: dict) -> None:
    for step, on in _object(metadata, "preprocessing").items():
        if step not in STEP_NAMES:
            raise ValueError(
                f"'preprocessing' names an unknown step {_show(step)}; "
                f"the steps are: {', '.join(STEP_NAMES)}"
            )
        if not isinstance(on, bool):
            raise ValueError(
                f"'preprocessing.{step}' must be true or false, not {_show(on)}"
            )


def _check_metrics(metadata: dict) -> None:
    for name, value in _object(metadata, "metrics").items():
        if value is not None and not _is_number(value):
            raise ValueError(
                f"'metrics.{name}' must be a finite number or null, not {_show(value)}"
            )
        if name.endswith("accuracy") and value is not None and not 0 <= value <= 1:
            raise ValueError(
                f"'metrics.{name}' is a share, from 0 to 1, not {_show(value)}"
            )


def _check_training(metadata: dict) -> None:
    training = _object(metadata, "training")
    augment = training.get("augment", [])
    if not isinstance(augment, list) or not all(isinstance(a, str) for a in augment):
        raise ValueError(
            f"'training.augment' must be a list of names, not {_show(augment)}"
        )


def _check_flat(metadata: dict, key: str) -> None:
    """An object whose values are strings, numbers, true/false or null."""
    for name, value in _object(metadata, key).items():
        if value is not None and not isinstance(value, str | int | float):
            raise ValueError(
                f"'{key}.{name}' must be a string, number or null, not {_show(value)}"
            )


def check_metadata(metadata: object) -> dict:
    """A checkpoint's metadata, if every key the code reads has the right type;
    else ValueError naming the key and what it must be."""
    check_shared(metadata)
    _check_model(metadata)
    return metadata


def check_shared(metadata: object) -> dict:
    """The keys every model's metadata may have (an imported model's sidecar
    too): preprocessing, metrics, training, data, versions and the scalars."""
    if not isinstance(metadata, dict):
        raise ValueError(f"the metadata must be a JSON object, not {_show(metadata)}")
    _check_preprocessing(metadata)
    _check_metrics(metadata)
    _check_training(metadata)
    _check_flat(metadata, "data")
    _check_flat(metadata, "versions")
    for key, (test, what) in SCALARS.items():
        if key in metadata and not test(metadata[key]):
            raise ValueError(f"'{key}' must be {what}, not {_show(metadata[key])}")
    return metadata
