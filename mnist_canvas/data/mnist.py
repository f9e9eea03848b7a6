"""MNIST from a folder of IDX files (gz or raw), read by torchvision.

    >>> mnist = load_mnist("../shared/data/mnist")        # doctest: +SKIP
    >>> mnist.train.images.shape, mnist.test.images.dtype  # doctest: +SKIP
    (torch.Size([60000, 28, 28]), torch.uint8)

torchvision's `datasets.MNIST` wants the decompressed files under
`root/MNIST/raw/`. The source folder may hold them gzipped or raw; they are
decompressed into a cache folder, never into the source folder.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

from ..files import atomic_write, cache_dir, write_text
from . import DATA_ENV, DataError, default_mnist_dir

MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049  # IDX: unsigned bytes, 3 or 1 dimensions


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


def _find(folder: Path, name: str) -> Path | None:
    for where in (folder, folder / "MNIST" / "raw", folder / "raw"):
        for candidate in (where / name, where / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _decompress(source: Path, target: Path, name: str) -> None:
    """Copy (gunzipping if needed) into the cache, atomically, checking the
    header, the size and the labels before the copy counts (see _check_idx)."""
    expected = MNIST_FILES[name]
    stamp = f"{source.resolve()}:{source.stat().st_size}:{source.stat().st_mtime_ns}"
    stamp_file = target.with_suffix(".source")
    opener = gzip.open if source.suffix == ".gz" else open
    try:
        if target.is_file() and stamp_file.is_file():
            if stamp_file.read_text() == stamp and target.stat().st_size == expected:
                # Checked again: an earlier version may have cached it unchecked.
                return _check_idx(source, _head(target, name), expected, name)
        with atomic_write(target) as tmp:
            with opener(source, "rb") as src, open(tmp, "wb") as dst:
                dst.write(src.read(expected + 1))  # more is too much already
            _check_idx(source, _head(tmp, name), tmp.stat().st_size, name)
        write_text(stamp_file, stamp)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{source}: cannot be read ({error})") from None


def _head(path: Path, name: str) -> bytes:
    """What _check_idx reads: an image file's header, a label file whole."""
    with open(path, "rb") as f:
        return f.read(16 if "images" in name else MNIST_FILES[name] + 1)


def _check_idx(source: Path, data: bytes, size: int, name: str) -> None:
    """An MNIST IDX file's magic number, dimensions and size (given the head
    of its `size` bytes), and for labels that each is a digit; DataError
    names the source file."""
    images = "images" in name
    kind, magic = ("image", IMAGE_MAGIC) if images else ("label", LABEL_MAGIC)
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(
            f"{source}: is not an MNIST {kind} file (magic number {found}, "
            f"expected {magic})"
        )
    header = 16 if images else 8
    count = (MNIST_FILES[name] - header) // (784 if images else 1)
    dims = [int.from_bytes(data[i : i + 4], "big") for i in range(4, header, 4)]
    if dims != ([count, 28, 28] if images else [count]):
        raise DataError(f"{source}: its header gives dimensions {dims}")
    if size != MNIST_FILES[name]:
        raise DataError(
            f"{source}: holds {size:,} bytes of data, expected "
            f"{MNIST_FILES[name]:,}: the file is truncated or is not the standard "
            "MNIST file"
        )
    if not images and max(data[header:]) > 9:
        at = next(i for i, label in enumerate(data[header:]) if label > 9)
        raise DataError(f"{source}: label {data[header + at]} of item {at} is not 0–9")


def load_mnist(
    folder: str | os.PathLike | None = None,
    *,
    download: bool = False,
    cache: str | os.PathLike | None = None,
) -> Mnist:
    """MNIST's training and test sets from a folder of the four IDX files."""
    from torchvision.datasets import MNIST

    folder = _mnist_folder(folder)
    root = Path(cache) if cache else cache_dir() / "mnist"
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
        for name in MNIST_FILES:
            _decompress(_find(folder, name), raw / name, name)
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


def _mnist_folder(folder) -> Path:
    if folder is None:
        folder = default_mnist_dir()
        if folder is None:
            raise DataError(
                f"No MNIST folder given: pass one or set {DATA_ENV} to a "
                "folder holding mnist/"
            )
    return Path(folder)


def test_arrays(folder=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's 10,000 test images (uint8, white ink on black) and labels as
    numpy arrays, read without torch: the same checks and cache as
    `load_mnist`, the test files only."""
    folder = _mnist_folder(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (expected the MNIST files)")
    raw = cache_dir() / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    arrays = []
    for name, header in (("t10k-images-idx3-ubyte", 16), ("t10k-labels-idx1-ubyte", 8)):
        source = _find(folder, name)
        if source is None:
            raise DataError(f"{folder}: missing MNIST file {name} (or {name}.gz)")
        _decompress(source, raw / name, name)
        arrays.append(np.fromfile(raw / name, np.uint8, offset=header))
    return arrays[0].reshape(-1, 28, 28), arrays[1].astype(np.int64)


def validation_split(
    train: Split, size: int = 5000, seed: int = 0
) -> tuple[Split, Split]:
    """A fixed, seeded (train, validation) split of MNIST's training set."""
    import torch

    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))
    return train.subset(order[size:]), train.subset(order[:size])
