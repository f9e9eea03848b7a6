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


def first_record(tmp_path, line: str):
    path = tmp_path / "s.jsonl"
    path.write_text('{"label": 1, "strokes": [[[0, 0], [0, 5]]]}\n' + line + "\n")
    records = read_strokes(path)
    next(records)
    return next(records)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": 1, "strokes": [[{"x": 1, "y": 2}]]}', r"point 0: .*\[x, y\]"),
        ('{"label": 1, "strokes": [[[1]]]}', r"stroke 0, point 0: .*\[x, y\]"),
        (
            '{"label": 1, "strokes": [[[1, 2], [3, "4"]]]}',
            "point 1: y must be a number",
        ),
        ('{"label": 1, "strokes": [[[1, Infinity]]]}', "finite .*, not inf"),
        ('{"label": 1, "strokes": [[[NaN, 1]]]}', "finite .*, not nan"),
        ('{"label": 1, "strokes": [[[1e300, 1]]]}', r"within ±1e\+09"),
        ('{"label": 1, "strokes": [[[1, 1]]], "brush": NaN}', "brush .*finite"),
        ('{"label": 1, "strokes": [[[1, 1]]], "brush": "x"}', "brush .*number"),
        ('{"label": 1, "strokes": [[[1, 1]]], "brush": 0}', "brush .*greater"),
        ('{"label": 1, "strokes": [[[1, 1]]], "canvas": 5}', r"'canvas' must be \["),
        ('{"label": 1, "strokes": [[[1, 1]]], "canvas": [1e300, 9]}', "at most 4096"),
        ('{"label": 1, "strokes": [[[1, 1]]], "canvas": null}', "'canvas' must be"),
        ('{"label": 1, "strokes": [[[5000, 1]]], "canvas": [280, 280]}', "±2800"),
        ('{"label": 1, "strokes": [[[1, 1]]], "writer": 7}', "'writer' must be"),
        ('{"label": true, "strokes": []}', "'label' must be a digit"),
        ('{"label": 1, "strokes": [7]}', "'strokes' must be a list of point lists"),
        ("[" * 100_000, "not JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_bad_stroke_records_name_file_line_and_field(tmp_path, line, message):
    with pytest.raises(DataError, match=r"s\.jsonl:2: .*" + message):
        first_record(tmp_path, line)


def test_a_corrupt_gzip_stroke_file_is_a_data_error(tmp_path):
    data = gzip.compress(b'{"label": 1, "strokes": []}\n' * 1000)
    path = tmp_path / "s.jsonl.gz"
    path.write_bytes(data[:20] + bytes(b ^ 0xFF for b in data[20:60]) + data[60:])
    with pytest.raises(DataError, match=r"s\.jsonl\.gz: cannot be read"):
        list(read_strokes(path))


def test_good_records_keep_their_fields(tmp_path):
    line = '{"label": 7, "strokes": [[[1, 2], [3, 4]]], "brush": 9, "writer": "w"}'
    record = first_record(tmp_path, line)
    assert (record.label, record.brush, record.writer, record.line) == (7, 9.0, "w", 2)
    assert record.strokes == (((1.0, 2.0), (3.0, 4.0)),) and record.drawing is None
    on_canvas = first_record(
        tmp_path, '{"label": 0, "strokes": [[[1, 2]]], "canvas": [50, 60]}'
    )
    assert (on_canvas.drawing.width, on_canvas.drawing.height) == (50, 60)


def test_a_folder_where_a_stroke_file_should_be_is_named_so(tmp_path):
    from mnist_canvas.data.strokes import read_strokes

    with pytest.raises(DataError, match="a folder, not a stroke file"):
        list(read_strokes(tmp_path))
