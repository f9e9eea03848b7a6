import gzip
import json

import pytest
import torch

from mnist_canvas.training.pen_data import pen_digit_splits


@pytest.fixture
def stroke_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "pen.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for w in range(30):
            for label, strokes in (
                (1, [[[0, 0], [2, 40]]]),
                (7, [[[0, 0], [30, 0], [10, 45]]]),
            ):
                record = {"label": label, "writer": f"src/w{w}", "strokes": strokes}
                f.write(json.dumps(record) + "\n")
    return path


def test_writers_are_split_and_images_are_mnist_format(stroke_file):
    train, held = pen_digit_splits(stroke_file, variants=2)
    assert 0 < len(held) < len(train)
    assert len(train) % 2 == 0 and len(train) // 2 + len(held) == 60
    assert train.images.dtype == torch.uint8 and train.images.shape[1:] == (28, 28)
    # MNIST format: white ink on black, a 20 px digit centred in 28×28.
    assert train.images[:, 0, 0].max() == 0 and train.images.max() == 255
    assert set(train.labels.tolist()) == {1, 7}


def test_the_same_call_reads_its_cache(stroke_file):
    first, _ = pen_digit_splits(stroke_file, variants=1)
    stroke_file.write_bytes(stroke_file.read_bytes())  # same content, new mtime
    again, _ = pen_digit_splits(stroke_file, variants=1)
    assert torch.equal(first.images, again.images)
