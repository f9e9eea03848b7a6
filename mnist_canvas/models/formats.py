"""What a model file is, found from its bytes without running anything in it.

    kind = model_format("model.keras")   # 'onnx', 'keras', 'h5' or 'torchscript'
    # anything else raises Refused: what the file is and the line that exports it

ONNX runs as it is; Keras files and TorchScript archives are converted once into
ONNX (`convert`). A PyTorch state_dict or pickled model, a TensorFlow SavedModel
or TFLite file cannot be read safely (or at all) here; the message names what
the file holds and the one line that exports it to ONNX where its code is.
Pickles are read by `pickletools`, which lists their opcodes and runs nothing.
"""

from __future__ import annotations

import os
import pickletools
import zipfile
from pathlib import Path


class Refused(ValueError):
    """A file that cannot be imported; the message says why."""


FORMATS = ("onnx", "keras", "h5", "torchscript")
# The file names the app offers to import (File ▸ Import Model…, drops).
SUFFIXES = (".onnx", ".keras", ".h5", ".hdf5", ".pt", ".pth", ".tflite", ".pb")
HDF5 = b"\x89HDF\r\n\x1a\n"
# Globals a state_dict's pickle names: containers and tensor rebuilders only.
STATE_DICT_GLOBALS = ("collections ", "torch._utils ", "torch ", "builtins ")
EXPORT_TORCH = (
    'torch.onnx.export(model.eval(), torch.zeros(1, 1, 28, 28), "model.onnx", '
    "dynamo=False)"
)
FORMATS_READ = "ONNX, Keras (.keras, .h5) or TorchScript (torch.jit.save)"


def _state_dict(name: str) -> str:
    return (
        f"{name} holds only weights (a PyTorch state_dict, in a pickle): the "
        "network they "
        "belong to is code, which is not in the file. Where that code is, export "
        f"it: model = Net(); model.load_state_dict(torch.load({name!r})); "
        f"{EXPORT_TORCH}"
    )


def _pickled(name: str) -> str:
    return (
        f"{name} is a pickle (a whole PyTorch model saved with torch.save(model), "
        "or another Python object), and loading a pickle can run any code in "
        "it, so it is not opened. Where "
        f"you trust it and have its code, export it: model = torch.load({name!r}, "
        f"weights_only=False); {EXPORT_TORCH}"
    )


def _pickle_globals(data: bytes) -> list[str]:
    """The 'module name' globals the pickles in `data` refer to (opcodes only
    read, nothing run); stops at the first byte that is not a pickle."""
    names, position = [], 0
    while position < len(data):
        strings = []
        try:
            for op, arg, pos in pickletools.genops(data[position:]):
                if op.name == "GLOBAL":
                    names.append(str(arg))
                elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                    names.append(f"{strings[-2]} {strings[-1]}")
                elif isinstance(arg, str):
                    strings.append(arg)
                if op.name == "STOP":
                    position += pos + 1
                    break
            else:
                break
        except Exception:  # not (or no longer) a pickle
            break
    return names


def _is_state_dict(globals_: list[str]) -> bool:
    """Tensors (rebuilt by torch._utils) in plain containers, nothing else."""
    tensors = any(g.startswith("torch._utils ") for g in globals_)
    return tensors and all(g.startswith(STATE_DICT_GLOBALS) for g in globals_)


def _torch_pickle(name: str, data: bytes) -> Refused:
    is_state_dict = _is_state_dict(_pickle_globals(data))
    return Refused(_state_dict(name) if is_state_dict else _pickled(name))


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
            if "config.json" in names and "model.weights.h5" in names:
                return "keras"
            if any("/code/" in n for n in names) and any(
                n.endswith("constants.pkl") for n in names
            ):
                return "torchscript"
            if pickles:
                raise _torch_pickle(path.name, archive.read(pickles[0]))
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(f"{path.name} is a damaged zip archive ({error})") from None
    raise Refused(f"{path.name} is a zip archive but not a model: {FORMATS_READ}")


def _saved_model(path: Path) -> Refused:
    return Refused(
        f"{path.name} is a TensorFlow SavedModel; this app reads {FORMATS_READ}, "
        "and never TensorFlow itself. Export it with tf2onnx: python -m "
        f"tf2onnx.convert --saved-model {str(path)!r} --output model.onnx"
    )


def model_format(path: str | os.PathLike) -> str:
    """'onnx', 'keras', 'h5' or 'torchscript'; Refused for anything else,
    saying what it is and how to export it."""
    path = Path(path)
    if path.is_dir() or path.name == "saved_model.pb":
        if (path / "saved_model.pb").is_file() or path.name == "saved_model.pb":
            raise _saved_model(path if path.is_dir() else path.parent)
        raise Refused(f"{path} is a folder, not a model file: {FORMATS_READ}")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as error:
        raise Refused(f"{path}: cannot be read ({error.strerror or error})") from None
    if not head:
        raise Refused(f"{path.name} is empty")
    if head.startswith(b"PK"):
        return _zip_format(path)
    if head.startswith(HDF5):
        return "h5"
    if head[4:8] == b"TFL3":
        raise Refused(
            f"{path.name} is a TensorFlow Lite model; this app reads {FORMATS_READ}. "
            f"Export it with tf2onnx: python -m tf2onnx.convert --tflite "
            f"{path.name!r} --output model.onnx"
        )
    if head[:1] == b"\x80":  # a pickle: torch.save's legacy format
        raise _torch_pickle(path.name, path.read_bytes())
    return "onnx"  # or not a model at all: reading it as ONNX says so


def refusal(path: str | os.PathLike) -> str | None:
    """Why `path` cannot be imported as a model, or None if it might be."""
    try:
        model_format(path)
    except Refused as error:
        return str(error)
    return None
