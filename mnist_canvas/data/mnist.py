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
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

from ..files import atomic_write, cache_dir, write_text
from . import DATA_ENV, DataError, default_mnist_dir

MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}


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


def _decompress(source: Path, target: Path, expected: int) -> None:
    """Copy (gunzipping if needed) into the cache, atomically, checking size."""
    stamp = f"{source.resolve()}:{source.stat().st_size}:{source.stat().st_mtime_ns}"
    stamp_file = target.with_suffix(".source")
    if target.is_file() and stamp_file.is_file():
        if stamp_file.read_text() == stamp and target.stat().st_size == expected:
            return
    opener = gzip.open if source.suffix == ".gz" else open
    try:
        with atomic_write(target) as tmp:
            with opener(source, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            size = tmp.stat().st_size
            if size != expected:
                raise DataError(
                    f"{source}: holds {size:,} bytes of data, expected {expected:,}: "
                    "the file is truncated or is not the standard MNIST file"
                )
        write_text(stamp_file, stamp)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{source}: cannot be read ({error})") from None


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
