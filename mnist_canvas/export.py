"""Write one of our models as an ONNX file, to run it anywhere.

    python -m mnist_canvas.export cnn-bn --onnx cnn-bn.onnx
    python -m mnist_canvas.export path/to/model.safetensors --onnx model.onnx

The file takes N×1×28×28 float32 (MNIST-normalised, white ink on black) and
returns 10 logits; its convention is in the file's metadata, so
`python -m mnist_canvas.import_model` reads it back without guessing.
Exit status 0, or 2 with a message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .files import atomic_write
from .models.checkpoint_file import CheckpointError
from .models.classifier import resolve_model
from .models.engine import ModelError
from .models.onnx_export import exported_onnx, ship_onnx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mnist_canvas.export", description=__doc__.split("\n")[0]
    )
    parser.add_argument("model", metavar="MODEL", nargs="+",
                        help="shipped name or checkpoint")  # fmt: skip
    parser.add_argument("--onnx", metavar="OUT.onnx", help="where to write it")
    parser.add_argument(
        "--ship", action="store_true",
        help="write each checkpoint's export beside it, in onnx/ under its content "
        "hash, as the shipped models carry theirs (replacing older exports)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.ship:
        for checkpoint in args.model:
            print(ship_onnx(checkpoint))
        return 0
    if args.onnx is None or len(args.model) != 1:
        parser.error("give one MODEL and --onnx OUT.onnx (or --ship CHECKPOINT…)")
    path, out = resolve_model(args.model[0]), Path(args.onnx)
    try:
        if path.suffix == ".onnx" or not path.is_file():
            raise CheckpointError(f"{path}: no such checkpoint")
        data = exported_onnx(path)
        with atomic_write(out) as tmp:
            tmp.write_bytes(data)
    except (CheckpointError, ModelError, OSError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
