"""MNIST IDX files are checked (magic number, dimensions, size, labels) before
torchvision reads them. Made-up files of the standard sizes: no data needed."""

import gzip

import pytest

from mnist_canvas.data import DataError
from mnist_canvas.data.mnist import MNIST_FILES, load_mnist


def idx(name: str) -> bytearray:
    """A well-formed, blank file of the standard size for `name`."""
    size = MNIST_FILES[name]
    if "images" in name:
        count = (size - 16) // 784
        header = [2051, count, 28, 28]
    else:
        header = [2049, size - 8]
    head = b"".join(n.to_bytes(4, "big") for n in header)
    return bytearray(head + bytes(size - len(head)))


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blank-mnist")
    for name in MNIST_FILES:
        (folder / name).write_bytes(idx(name))
    return folder


def load_with(tmp_path, blank, name, data, suffix=""):
    """load_mnist on the blank files with `name` replaced by `data`."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for other in MNIST_FILES:
        if other != name:
            (folder / other).symlink_to(blank / other)
    (folder / (name + suffix)).write_bytes(data)
    return load_mnist(folder, cache=tmp_path / "cache")


def test_blank_files_of_the_right_shape_load(tmp_path, blank):
    mnist = load_with(
        tmp_path, blank, "t10k-labels-idx1-ubyte", idx("t10k-labels-idx1-ubyte")
    )
    assert mnist.train.images.shape == (60000, 28, 28)
    assert mnist.test.labels.tolist() == [0] * 10000


@pytest.mark.parametrize(
    ("name", "magic", "message"),
    [
        ("train-images-idx3-ubyte", 2049, "not an MNIST image file .magic number 2049"),
        ("t10k-labels-idx1-ubyte", 2051, "not an MNIST label file .magic number 2051"),
        ("t10k-images-idx3-ubyte", 0x1F8B0808, "not .* .magic number 529205256"),
    ],
)
def test_a_wrong_magic_number_is_named(tmp_path, blank, name, magic, message):
    data = idx(name)
    data[:4] = magic.to_bytes(4, "big")
    with pytest.raises(DataError, match=rf"{name}: is {message}"):
        load_with(tmp_path, blank, name, data)


def test_wrong_dimensions_are_named(tmp_path, blank):
    data = idx("train-images-idx3-ubyte")
    data[8:16] = (32).to_bytes(4, "big") + (24).to_bytes(4, "big")
    with pytest.raises(DataError, match=r"dimensions \[60000, 32, 24\]"):
        load_with(tmp_path, blank, "train-images-idx3-ubyte", data)


def test_a_label_above_nine_is_found_at_load_time(tmp_path, blank):
    data = idx("train-labels-idx1-ubyte")
    data[8 + 5] = 12
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte: label 12 of item 5"):
        load_with(tmp_path, blank, "train-labels-idx1-ubyte", data)


def test_a_corrupt_gzip_is_named(tmp_path, blank):
    data = gzip.compress(bytes(idx("t10k-labels-idx1-ubyte")))
    data = data[:20] + bytes(b ^ 0xFF for b in data[20:60]) + data[60:]
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: cannot be read"):
        load_with(tmp_path, blank, "t10k-labels-idx1-ubyte", data, ".gz")


def test_an_oversized_file_is_not_copied_whole(tmp_path, blank):
    data = idx("t10k-labels-idx1-ubyte") + bytes(10_000_000)
    with pytest.raises(DataError, match="holds 10,009 bytes"):
        load_with(tmp_path, blank, "t10k-labels-idx1-ubyte", data)


def test_a_bad_file_cached_unchecked_is_still_refused(tmp_path, blank):
    """A cache filled by a version that did not check headers is checked too."""
    name = "t10k-images-idx3-ubyte"
    load_with(tmp_path, blank, name, idx(name))  # caches the good file
    cached = tmp_path / "cache" / "MNIST" / "raw" / name
    data = bytearray(cached.read_bytes())
    data[:4] = (2049).to_bytes(4, "big")
    cached.write_bytes(data)  # as an unchecking version would have left it
    with pytest.raises(DataError, match=rf"{name}: is not an MNIST image file"):
        load_mnist(tmp_path / "mnist", cache=tmp_path / "cache")
