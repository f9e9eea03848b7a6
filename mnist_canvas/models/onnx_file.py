"""Someone's ONNX file, checked for what an MNIST digit model must be.

    model = read_onnx("model.onnx")      # raises Refused with the reason
    model.layouts                        # ['nhwc']: what its input shape allows
    model.session.run(inputs)            # batches of any size, even if fixed at 1

One image input and one output of 10 scores; anything else is refused with a
message saying what the model has and what a digit model needs. Loading an
ONNX file never runs code: it is a graph of known operators.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import parse_json
from .convention import LAYOUTS, OUTPUTS, Convention, ConventionError
from .engine import ModelError, Session
from .formats import Refused

# Keys of the convention and output kind in an ONNX file's metadata_props.
CONVENTION_KEY, OUTPUT_KEY = "mnist_canvas.convention", "mnist_canvas.output"
NEEDED = "an MNIST digit model takes " + ", ".join(v[1] for v in LAYOUTS.values())


class BatchSession:
    """A session that runs batches of any size, one item at a time when the
    model's batch dimension is fixed at 1 (as `torch.onnx.export` leaves it)."""

    def __init__(self, session: Session, fixed_batch: bool):
        self.session, self.fixed_batch = session, fixed_batch

    def with_threads(self, threads: int) -> BatchSession:
        session = self.session.with_threads(threads)
        return (
            self if session is self.session else BatchSession(session, self.fixed_batch)
        )

    def run(self, inputs: np.ndarray) -> np.ndarray:
        if not self.fixed_batch or len(inputs) == 1:
            return self.session.run(inputs)
        return np.concatenate([self.session.run(x[None]) for x in inputs])


@dataclass
class OnnxModel:
    path: Path
    data: bytes
    session: BatchSession
    shape: list  # the input's dimensions as declared (ints, names or None)
    layouts: list[str]  # the layouts its input shape allows
    declared: Convention | None  # written into the file by `export`
    declared_output: str | None
    format: str = "onnx"  # what the file was: onnx, keras, h5 or torchscript
    source_hash: str | None = None  # SHA-256 of the file read


def _dims(shape) -> list:
    return [d if isinstance(d, int) else None for d in shape]


def _shape_text(shape) -> str:
    return "×".join("N" if d is None else str(d) for d in _dims(shape))


def layouts_for(shape) -> list[str]:
    """The layouts an input shape allows (an unnamed dimension allows any)."""
    dims = _dims(shape)
    if not dims or dims[0] not in (None, 1):
        return []
    rest = dims[1:]

    def fits(expected):
        return len(rest) == len(expected) and all(
            d is None or d == e for d, e in zip(rest, expected, strict=True)
        )

    return [name for name, (expected, _) in LAYOUTS.items() if fits(expected)]


def _parse(data: bytes, path: Path):
    import onnx  # only importing needs it

    try:
        model = onnx.load_model_from_string(data)
    except Exception as error:
        raise Refused(f"{path.name} is not an ONNX model ({error})") from None
    if not model.graph.node or not model.graph.output:
        raise Refused(f"{path.name} is not an ONNX model (it holds no graph)")
    return {p.key: p.value for p in model.metadata_props}


def _declared(props: dict) -> tuple[Convention | None, str | None]:
    try:
        convention = Convention.from_dict(parse_json(props[CONVENTION_KEY], ""))
    except (KeyError, ValueError, ConventionError):
        return None, None
    output = props.get(OUTPUT_KEY)
    return convention, output if output in OUTPUTS else None


def _check_session(session: Session, name: str) -> list[str]:
    inputs, outputs = session.inputs, session.outputs
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs)
        raise Refused(
            f"{name} has {len(inputs)} inputs ({names}); "
            "an MNIST digit model has one, the image"
        )
    if inputs[0].type not in ("tensor(float)", "tensor(double)"):
        raise Refused(
            f"{name}'s input is {inputs[0].type}; an MNIST digit model takes floats"
        )
    layouts = layouts_for(inputs[0].shape)
    if not layouts:
        raise Refused(
            f"{name}'s input is {_shape_text(inputs[0].shape)}; {NEEDED} "
            "(N: any batch size, or 1)"
        )
    out = _dims(outputs[0].shape)[1:]
    if out and all(d is not None for d in out) and int(np.prod(out)) != 10:
        raise Refused(
            f"{name}'s output has {int(np.prod(out))} values; "
            "an MNIST digit model has 10"
        )
    return layouts


def read_onnx(
    path: str | os.PathLike, threads: int = 1, data: bytes | None = None
) -> OnnxModel:
    """Read and check an ONNX file (or its bytes `data`, self-contained, see
    `convert.read_model`); raises Refused saying what is wrong."""
    path = Path(path)
    try:
        data = path.read_bytes() if data is None else data
    except OSError as error:
        raise Refused(f"{path}: cannot be read ({error.strerror or error})") from None
    props = _parse(data, path)
    try:
        session = Session(data, threads)
    except ModelError as error:
        raise Refused(f"{path.name}: {error}") from None
    layouts = _check_session(session, path.name)
    fixed = _dims(session.inputs[0].shape)[0] == 1
    declared, output = _declared(props)
    if declared is not None and declared.layout not in layouts:
        declared, output = None, None
    shape = list(session.inputs[0].shape)
    return OnnxModel(
        path, data, BatchSession(session, fixed), shape, layouts, declared, output
    )
