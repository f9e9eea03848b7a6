"""Data sets: where they are, and the one error type for data that cannot be used.

Set `MNIST_CANVAS_DATA` to a folder holding `mnist/` (the four IDX files) and
`pen-digits/` (stroke JSON lines), and every tool finds the data untold.
`mnist` reads MNIST (torchvision); `strokes` reads stroke records.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "MNIST_CANVAS_DATA"
PEN_DIGITS_FILE = "pen-digits/unipen1a-dev.jsonl.gz"


class DataError(Exception):
    """Data that cannot be used; the message names the file and the problem."""


def data_root() -> Path | None:
    """The folder named by MNIST_CANVAS_DATA, if set."""
    value = os.environ.get(DATA_ENV)
    return Path(value) if value else None


def default_mnist_dir() -> Path | None:
    root = data_root()
    return root / "mnist" if root else None


def default_pen_digits() -> Path | None:
    root = data_root()
    return root / PEN_DIGITS_FILE if root else None


def shown_path(text: str) -> str:
    """A path as recorded in a checkpoint: the data folder as $MNIST_CANVAS_DATA,
    so no one machine's folders are written into shared files."""
    root = data_root()
    if root is None or not text:
        return text
    return text.replace(str(root).rstrip("/"), f"${DATA_ENV}")
