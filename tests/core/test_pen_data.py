import gzip
import json
import math
import random

import numpy as np
import pytest
import torch

from mnist_canvas.data.strokes import (
    FOLDS,
    LabelledDrawing,
    parse_fold,
    person,
    writer_fold,
)
from mnist_canvas.training.pen_data import (
    never_trained_on,
    pen_digit_splits,
    restyle,
    warp,
)


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


def test_changed_rendering_code_renders_afresh(stroke_file, monkeypatch):
    from mnist_canvas.training import pen_data

    renders = []
    real = pen_data.render_records
    monkeypatch.setattr(
        pen_data, "render_records", lambda *a, **k: renders.append(1) or real(*a, **k)
    )
    pen_digit_splits(stroke_file, variants=1)
    pen_digit_splits(stroke_file, variants=1)
    assert len(renders) == 2  # training and held-out images, then the cache
    monkeypatch.setattr(pen_data, "_code", lambda: "other code")
    pen_digit_splits(stroke_file, variants=1)
    assert len(renders) == 4
    # Every module that makes the images is part of the key.
    assert {"mnist_canvas.training.pen_data", "mnist_canvas.ink.raster"} <= set(
        pen_data.RENDERING
    )


def test_a_persons_sessions_share_one_fold():
    assert person("ibm/r01-07") == person("ibm/r04-07") == "ibm/07"
    assert person("ibm/r01-07") != person("ibm/r01-11")
    assert person("syn/jel-dig14") == "syn/jel-dig14" and person(None) == ""
    assert writer_fold("ibm/r00-11") == writer_fold("ibm/r04-11")
    folds = {writer_fold(f"src/w{i}") for i in range(200)}
    assert folds == set(range(FOLDS))  # every fold gets people


@pytest.mark.parametrize("text", ["5/5", "-1/5", "0/1", "a/5", "3", "1/2/3"])
def test_a_bad_fold_is_refused_with_its_form(text):
    with pytest.raises(ValueError, match="fold"):
        parse_fold(text)


def test_training_on_everyone_holds_nobody_out(stroke_file):
    train, held = pen_digit_splits(stroke_file, variants=1, fold=None)
    assert len(held) == 0 and len(train) == 60


def test_each_fold_holds_out_exactly_its_people(stroke_file):
    sizes = []
    for fold in range(FOLDS):
        train, held = pen_digit_splits(stroke_file, variants=1, fold=fold)
        expected = sum(2 for w in range(30) if writer_fold(f"src/w{w}") == fold)
        assert len(held) == expected and len(train) == 60 - expected
        sizes.append(len(held))
    assert sum(sizes) == 60


def test_warp_changes_the_shape_but_keeps_the_digit():
    record = LabelledDrawing(
        7, None, (((0.0, 0.0), (30.0, 0.0), (10.0, 45.0)), ((5.0, 20.0), (20.0, 20.0))),
        None, "src/w", 1,
    )  # fmt: skip
    one, again = warp(record, random.Random(3)), warp(record, random.Random(3))
    assert one == again  # reproducible from the generator
    assert one.label == 7 and [len(s) for s in one.strokes] == [3, 2]
    moved = np.abs(np.array(one.strokes[0]) - np.array(record.strokes[0])).max()
    assert 0 < moved < 45 * 0.5  # changed, yet far less than the digit's size
    others = {warp(record, random.Random(seed)).strokes for seed in range(20)}
    assert len(others) == 20


def test_warped_variants_differ_from_plain_ones(stroke_file):
    plain, _ = pen_digit_splits(stroke_file, variants=2, fold=None)
    warped, _ = pen_digit_splits(stroke_file, variants=2, fold=None, warped=1.0)
    assert plain.images.shape == warped.images.shape
    assert not torch.equal(plain.images, warped.images)
    assert torch.equal(plain.labels, warped.labels)


def test_which_writers_a_model_never_trained_on_comes_from_its_metadata():
    writers = [f"src/w{i}" for i in range(50)] + ["ibm/r00-07", "ibm/r04-07"]
    mnist_only = {"pen_train": None}
    everyone = {"pen_train": "pen.jsonl.gz", "pen_fold": None, "pen_folds": 5}
    fold_2 = {"pen_train": "pen.jsonl.gz", "pen_fold": 2, "pen_folds": 5}
    before_folds = {"pen_train": "pen.jsonl.gz"}  # held out fold 0 of the raw ids
    assert all(never_trained_on(w, mnist_only) for w in writers)
    assert not any(never_trained_on(w, everyone) for w in writers)
    unseen = [w for w in writers if never_trained_on(w, fold_2)]
    assert unseen and all(writer_fold(w) == 2 for w in unseen)
    assert len(unseen) == sum(writer_fold(w) == 2 for w in writers)
    old = [w for w in writers if never_trained_on(w, before_folds)]
    assert old == [w for w in writers if writer_fold(w, by_person=False) == 0]


def test_restyle_crosses_a_zero_and_flags_a_plain_one():
    ring = tuple((10 * np.cos(a), 14 * np.sin(a)) for a in np.linspace(0, 6.2, 30))
    zero = LabelledDrawing(0, None, (ring,), None, "w", 1)
    rng, slopes = random.Random(1), []
    for _ in range(200):
        crossed = restyle(zero, rng)
        assert len(crossed.strokes) == 2 and ring in crossed.strokes
        (ax, ay), *_, (bx, by) = next(s for s in crossed.strokes if s != ring)
        # Both ends outside the ring, the bar through its middle.
        assert (ax / 10) ** 2 + (ay / 14) ** 2 > 1 < (bx / 10) ** 2 + (by / 14) ** 2
        mx, my = (ax + bx) / 2, (ay + by) / 2
        assert abs(mx) <= 0.11 * 20 and abs(my) <= 0.11 * 28  # within a tenth
        slopes.append(math.degrees(math.atan2(ay - by, bx - ax)))
    # Level (θ), slashed (ø) and upright (φ) bars all occur.
    assert min(slopes) < 0 and max(slopes) > 90
    assert any(30 < s < 60 for s in slopes)

    down = tuple((0.0, float(y)) for y in range(0, 41, 4))  # top to bottom
    flagged = restyle(LabelledDrawing(1, None, (down,), None, "w", 1), random.Random(2))
    (stroke,) = flagged.strokes
    assert stroke[-len(down) + 1 :] == down[1:]  # the line, after the flag
    assert stroke[0][0] < 0 and 0 < stroke[0][1] < 20  # flag: left of, below the top
    up = down[::-1]
    flagged = restyle(LabelledDrawing(1, None, (up,), None, "w", 1), random.Random(2))
    assert (
        flagged.strokes[0][: len(up) - 1] == up[:-1] and flagged.strokes[0][-1][0] < 0
    )


def test_restyle_leaves_other_digits_and_flagged_ones_alone():
    seven = LabelledDrawing(7, None, (((0, 0), (20, 0), (5, 40)),), None, "w", 1)
    assert restyle(seven, random.Random(0)) is seven
    flagged_one = LabelledDrawing(1, None, (((-8, 8), (0, 0), (0, 40)),), None, "w", 1)
    assert restyle(flagged_one, random.Random(0)) is flagged_one
    two_strokes = LabelledDrawing(
        0, None, (((0, 0), (5, 5)), ((5, 5), (0, 10))), None, "w", 1
    )
    assert restyle(two_strokes, random.Random(0)) is two_strokes
