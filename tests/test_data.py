import gzip
import shutil

import pytest

from mnist_canvas.data import DataError
from mnist_canvas.data.mnist import MNIST_FILES, load_mnist
from mnist_canvas.data.strokes import read_strokes


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_mnist(tmp_path / "nowhere", cache=tmp_path / "cache")


def test_missing_files_are_named(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path, cache=tmp_path / "cache")


def test_truncated_file_is_named(tmp_path, mnist_dir):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in MNIST_FILES:
        shutil.copy(mnist_dir / f"{name}.gz", folder)
    with gzip.open(mnist_dir / "t10k-labels-idx1-ubyte.gz") as f:
        cut = f.read()[:5000]
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(cut)
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz.*truncated"):
        load_mnist(folder, cache=tmp_path / "cache")


def test_mnist_loads_from_gz_without_touching_the_source(mnist, mnist_dir):
    assert mnist.train.images.shape == (60000, 28, 28)
    assert mnist.test.images.shape == (10000, 28, 28)
    assert mnist.train.labels.bincount().tolist()[0] == 5923
    assert sorted(p.name for p in mnist_dir.iterdir() if "ubyte" in p.name) == sorted(
        f"{name}.gz" for name in MNIST_FILES
    )


def test_stroke_records_are_checked_with_file_and_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"label": 1, "strokes": [[[0, 0], [0, 5]]]}\n\n{"label": 12, "strokes": []}\n'
    )
    records = read_strokes(path)
    assert next(records).label == 1
    with pytest.raises(DataError, match=r"s\.jsonl:3: 'label'"):
        next(records)
