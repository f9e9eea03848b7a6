"""Convert a Keras or TorchScript file to ONNX, in a process of its own.

    python -m mnist_canvas.models.convert_child keras m.keras out.onnx

Run by `convert.convert` (which sets KERAS_BACKEND=torch and a time limit);
exit 0 with OUT written, or 2 with one line on stderr saying why. Keras loads
in safe mode (no code from the file runs) on the torch backend, where a Keras
model is a torch module; TorchScript loads with `torch.jit.load`, which
rebuilds the network from its own code format and unpickles no Python object.
Both are written by `torch.onnx.export(..., dynamo=False)`, weights inside.
"""

from __future__ import annotations

import os
import sys

# The input shapes tried on a TorchScript model, which does not declare one.
SHAPES = ((1, 1, 28, 28), (1, 28, 28, 1), (1, 784), (1, 28, 28), (1, 3, 28, 28),
          (1, 28, 28, 3))  # fmt: skip
KERAS_EXTRA = "pip install 'mnist-canvas[keras]'"


def _keras_export(name: str, safe: bool = True) -> str:
    """The lines that export a Keras file to ONNX (on the torch backend a
    model must be called once first)."""
    unsafe = "" if safe else ", safe_mode=False"
    return (
        f"model = keras.models.load_model({name!r}{unsafe}); "
        "model.predict(np.zeros((1, *model.input_shape[1:]))); "
        "model.export('model.onnx', format='onnx')"
    )


class Failed(Exception):
    """A conversion that cannot be done; the message says why, in user words."""


def _export(model, example, target: str) -> None:
    import torch

    axes = {"x": {0: "n"}, "y": {0: "n"}}
    with torch.inference_mode():
        torch.onnx.export(
            model, (example,), target, input_names=["x"], output_names=["y"],
            dynamic_axes=axes, dynamo=False,
        )  # fmt: skip


def _keras_model(source: str):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        raise Failed(f"reading Keras files needs Keras: {KERAS_EXTRA}") from None
    name = os.path.basename(source)
    try:
        return keras.models.load_model(source, safe_mode=True, compile=False)
    except ValueError as error:
        text = str(error)
        if "Lambda" in text:
            raise Failed(
                f"{name} has a Lambda layer, whose Python code is stored in the "
                "file; code from a file is never run here (Keras safe mode). "
                "Replace the Lambda by a built-in layer (e.g. Rescaling), or, if "
                f"you trust the file, export it yourself: {_keras_export(name, False)}"
            ) from None
        if "No model config" in text:
            raise Failed(
                f"{name} holds only weights (model.save_weights), not the "
                "network: save the whole model with model.save('model.keras')"
            ) from None
        raise Failed(f"Keras cannot read {name}: {text[:300]}") from None
    except TypeError as error:  # a class Keras cannot find: a custom layer
        raise Failed(
            f"{name} uses a layer Keras cannot rebuild without its code (a custom "
            "layer or model class). Where that code is, import it, then export "
            f"the model: {_keras_export(name)} ({str(error).splitlines()[0][:200]})"
        ) from None


def keras_to_onnx(source: str, target: str) -> None:
    import torch

    model = _keras_model(source)
    if len(model.inputs) != 1:
        raise Failed(f"{os.path.basename(source)} has {len(model.inputs)} inputs; "
                     "an MNIST digit model has one, the image")  # fmt: skip
    shape = tuple(model.inputs[0].shape)[1:]
    example = torch.zeros(1, *[28 if d is None else int(d) for d in shape])
    _export(model, example, target)


def torchscript_to_onnx(source: str, target: str) -> None:
    import torch

    model = torch.jit.load(source, map_location="cpu").eval()
    for shape in SHAPES:
        try:
            with torch.inference_mode():
                out = model(torch.zeros(shape))
        except Exception:  # not this shape: try the next
            continue
        if isinstance(out, torch.Tensor) and out.numel() == 10:
            return _export(model, torch.zeros(shape), target)
    tried = ", ".join("×".join(map(str, s)) for s in SHAPES)
    raise Failed(
        f"{os.path.basename(source)} runs on none of the MNIST input shapes "
        f"({tried}) with 10 scores out"
    )


def main(argv: list[str]) -> int:
    kind, source, target = argv
    convert = keras_to_onnx if kind in ("keras", "h5") else torchscript_to_onnx
    try:
        convert(source, target)
    except Failed as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:  # a file can hold anything: say what broke
        line = (str(error).strip().splitlines() or [""])[0][:300]
        name = os.path.basename(source)
        print(f"converting {name} to ONNX failed: {type(error).__name__}: {line}",
              file=sys.stderr)  # fmt: skip
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
