"""Data: MNIST from a folder of IDX files, and pen-drawn digits from JSON lines.

    >>> mnist = load_mnist("../shared/data/mnist")        # doctest: +SKIP
    >>> mnist.train.images.shape, mnist.test.images.dtype  # doctest: +SKIP
    (torch.Size([60000, 28, 28]), torch.uint8)

MNIST is read by torchvision's `datasets.MNIST`, which wants the decompressed
files under `root/MNIST/raw/`. The source folder may hold them gzipped or raw;
they are decompressed into a cache folder, never into the source folder.
Set `MNIST_CANVAS_DATA` to a folder holding `mnist/` (and `pen-digits/`) and
every tool finds the data without being told.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from .drawing import Drawing, Stroke

DATA_ENV = "MNIST_CANVAS_DATA"
MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}
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


@dataclass(frozen=True)
class Split:
    images: torch.Tensor  # (N, 28, 28) uint8, white ink on black
    labels: torch.Tensor  # (N,) int64

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: torch.Tensor) -> Split:
        return Split(self.images[index], self.labels[index])


@dataclass(frozen=True)
class Mnist:
    train: Split
    test: Split
    source: str


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnist-canvas"


def _find(folder: Path, name: str) -> Path | None:
    for where in (folder, folder / "MNIST" / "raw", folder / "raw"):
        for candidate in (where / name, where / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _decompress(source: Path, target: Path, expected: int) -> None:
    """Copy (gunzipping if needed) into the cache, atomically, checking size."""
    stamp = f"{source.resolve()}:{source.stat().st_size}:{source.stat().st_mtime_ns}"
    stamp_file = target.with_suffix(".source")
    if target.is_file() and stamp_file.is_file():
        if stamp_file.read_text() == stamp and target.stat().st_size == expected:
            return
    opener = gzip.open if source.suffix == ".gz" else open
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with opener(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        size = Path(tmp).stat().st_size
        if size != expected:
            raise DataError(
                f"{source}: holds {size:,} bytes of data, expected {expected:,}: "
                "the file is truncated or is not the standard MNIST file"
            )
        os.replace(tmp, target)
        stamp_file.write_text(stamp)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{source}: cannot be read ({error})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_mnist(
    folder: str | os.PathLike | None = None,
    *,
    download: bool = False,
    cache: str | os.PathLike | None = None,
) -> Mnist:
    """MNIST's training and test sets from a folder of the four IDX files."""
    from torchvision.datasets import MNIST

    if folder is None:
        folder = default_mnist_dir()
        if folder is None:
            raise DataError(
                f"No MNIST folder given: pass one or set {DATA_ENV} to a "
                "folder holding mnist/"
            )
    folder = Path(folder)
    root = Path(cache) if cache else _cache_root() / "mnist"
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    if download:
        MNIST(root, train=True, download=True)
        MNIST(root, train=False, download=True)
    else:
        if not folder.is_dir():
            raise DataError(f"{folder}: no such folder (expected the MNIST files)")
        missing = [name for name in MNIST_FILES if _find(folder, name) is None]
        if missing:
            raise DataError(
                f"{folder}: missing MNIST file(s) {', '.join(missing)} "
                "(each may be gzipped, ending in .gz)"
            )
        for name, size in MNIST_FILES.items():
            _decompress(_find(folder, name), raw / name, size)
    try:
        train = MNIST(root, train=True, download=False)
        test = MNIST(root, train=False, download=False)
    except (RuntimeError, ValueError, OSError) as error:
        raise DataError(f"{folder}: the MNIST files cannot be read ({error})") from None
    return Mnist(
        Split(train.data, train.targets.long()),
        Split(test.data, test.targets.long()),
        str(folder),
    )


def validation_split(
    train: Split, size: int = 5000, seed: int = 0
) -> tuple[Split, Split]:
    """A fixed, seeded (train, validation) split of MNIST's training set."""
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))
    return train.subset(order[size:]), train.subset(order[:size])


@dataclass(frozen=True)
class LabelledDrawing:
    label: int
    drawing: Drawing | None  # None: place it the default way (see evaluate)
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    brush: float | None
    writer: str | None
    line: int


def _record(data: object, where: str, line: int) -> LabelledDrawing:
    if not isinstance(data, dict):
        raise DataError(f"{where}:{line}: a record must be a JSON object")
    label = data.get("label")
    if not isinstance(label, int) or isinstance(label, bool) or not 0 <= label <= 9:
        raise DataError(f"{where}:{line}: 'label' must be a digit 0–9, not {label!r}")
    strokes = data.get("strokes")
    if not isinstance(strokes, list) or not all(isinstance(s, list) for s in strokes):
        raise DataError(f"{where}:{line}: 'strokes' must be a list of point lists")
    try:
        points = tuple(tuple((float(p[0]), float(p[1])) for p in s) for s in strokes)
        brush = data.get("brush")
        brush = None if brush is None else float(brush)
        drawing = None
        if "canvas" in data:
            width, height = data["canvas"]
            stroke_brush = {} if brush is None else {"brush": brush}
            drawing = Drawing(
                width,
                height,
                tuple(Stroke.from_points(s, **stroke_brush) for s in points),
            )
        elif brush is not None and brush <= 0:
            raise ValueError(f"The brush width must be greater than zero ({brush})")
    except (TypeError, IndexError, ValueError) as error:
        raise DataError(f"{where}:{line}: malformed record ({error})") from None
    writer = data.get("writer")
    return LabelledDrawing(label, drawing, points, brush, writer, line)


def read_strokes(path: str | os.PathLike) -> Iterator[LabelledDrawing]:
    """Records of a stroke file (.jsonl or .jsonl.gz), checked one by one."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as error:
                    raise DataError(f"{path}:{number}: not JSON ({error})") from None
                yield _record(data, str(path), number)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot be read ({error})") from None
