"""The explorer's data path (no Qt): a data set read in chunks through the
evaluator's path, the cells of its confusion matrix, and two models compared."""

import numpy as np
import pytest
from explorer_data import RECORDS, stroke_file

from mnist_canvas.data import DataError
from mnist_canvas.diagnosis import explore
from mnist_canvas.diagnosis.accuracy import (
    Result,
    evaluate_mnist,
    evaluate_strokes,
    stroke_chunks,
)
from mnist_canvas.diagnosis.explore import (
    Dataset,
    Readings,
    cache_key,
    read_dataset,
    right_by_one,
)
from mnist_canvas.ink.drawing import Drawing
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.engine import ModelError


@pytest.fixture(scope="module")
def mlp():
    return Classifier.load("mlp")


def test_a_stroke_file_is_read_whole_with_its_misreadings(tmp_path, mlp):
    path = stroke_file(tmp_path / "few.jsonl")
    readings = read_dataset(mlp, Dataset.strokes(path))
    assert readings.result.n == len(RECORDS)
    assert readings.labels.tolist() == [label for label, _ in RECORDS]
    # Of misread items it keeps what they are and the model's input.
    assert sorted(readings.sources) == sorted(readings.inputs) == [2, 4, 5]
    assert all(isinstance(s, Drawing) for s in readings.sources.values())
    assert all(i.shape == (28, 28) for i in readings.inputs.values())
    expected = evaluate_strokes(mlp, path)
    assert readings.result.confusion == expected.confusion
    # The three mislabelled digits are the errors: 1 (a 7), 4 (a 1), 5 (a 0).
    assert [e.index for e in readings.result.errors] == [2, 4, 5]
    one_as_seven = readings.cell(1, 7)
    assert [e.index for e in one_as_seven] == [2]
    assert readings.probability(2, 1) < one_as_seven[0].confidence


def test_a_cell_is_sorted_most_confident_first(tmp_path, mlp):
    path = stroke_file(tmp_path / "sevens.jsonl", [(1, explore_seven()) for _ in "ab"]
                       + [(1, explore_seven(40))])  # fmt: skip
    readings = read_dataset(mlp, Dataset.strokes(path))
    cell = readings.cell(1, 7)
    assert len(cell) == 3
    confidences = [e.confidence for e in cell]
    assert confidences == sorted(confidences, reverse=True)


def explore_seven(lean: float = 0):
    return [[[70, 50], [210, 50], [120 - lean, 240]]]


def test_chunks_add_up_to_the_whole(tmp_path, mlp):
    path = stroke_file(tmp_path / "few.jsonl")
    chunks = list(stroke_chunks(mlp, path, size=3))
    assert [c.start for c in chunks] == [0, 3, 6]
    assert {c.total for c in chunks} == {len(RECORDS)}
    whole = evaluate_strokes(mlp, path)
    parts = np.concatenate([c.probabilities for c in chunks])
    np.testing.assert_allclose(parts, whole.probabilities, atol=1e-6)


def test_progress_can_stop_a_reading(tmp_path, mlp, monkeypatch):
    path = stroke_file(tmp_path / "few.jsonl", RECORDS * 80)  # 640: two chunks
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return False

    assert read_dataset(mlp, Dataset.strokes(path), progress=progress) is None
    assert seen == [(500, 640)]


def _readings(labels, read, dataset=None, model="m"):
    dataset = dataset or Dataset.strokes("x.jsonl")
    probabilities = np.full((len(labels), 10), 0.01, np.float32)
    probabilities[np.arange(len(labels)), read] = 0.91
    result = Result.from_probabilities(np.array(labels), probabilities)
    return Readings(model, dataset, result, np.array(labels), {}, {})


def test_right_by_one_and_wrong_by_the_other():
    labels = [1, 2, 3, 4]
    first = _readings(labels, [1, 2, 5, 6], model="a")  # 3 and 4 wrong
    second = _readings(labels, [7, 2, 3, 8], model="b")  # 1 and 4 wrong
    assert [e.index for e in right_by_one(first, second)] == [0]
    assert [e.index for e in right_by_one(second, first)] == [2]
    assert right_by_one(first, second)[0].predicted == 7
    other = _readings(labels, labels, dataset=Dataset.strokes("y.jsonl"))
    with pytest.raises(ValueError, match="same data set"):
        right_by_one(first, other)


def test_a_bad_record_is_named_by_file_and_line(tmp_path, mlp):
    path = stroke_file(tmp_path / "bad.jsonl", bad_line=4)
    with pytest.raises(DataError, match=r"bad\.jsonl:4: 'label' must be a digit"):
        read_dataset(mlp, Dataset.strokes(path))


def test_a_missing_mnist_folder_is_named(tmp_path, mlp):
    with pytest.raises(DataError, match="no such folder"):
        read_dataset(mlp, Dataset.mnist(tmp_path / "gone"))


class FailsLater:
    """A model that answers its first batch and then fails."""

    def __init__(self, classifier):
        self.classifier, self.name, self.calls = classifier, "flaky", 0

    def steps(self, overrides=None):
        return self.classifier.steps(overrides)

    def for_batches(self):
        return self  # its batches too go through `probabilities`

    def probabilities(self, inputs):
        self.calls += 1
        if self.calls > 1:
            raise ModelError("running it failed (out of memory)")
        return self.classifier.probabilities(inputs)


def test_a_model_failing_midway_is_named_with_where(tmp_path, mlp):
    path = stroke_file(tmp_path / "many.jsonl", RECORDS * 80)
    with pytest.raises(ModelError, match=r"flaky failed on .*many\.jsonl, lines "
                       r"501–640: running it failed \(out of memory\)"):  # fmt: skip
        read_dataset(FailsLater(mlp), Dataset.strokes(path))


def test_the_cache_key_follows_the_model_file_data_and_switches(tmp_path):
    model, data = tmp_path / "m.safetensors", stroke_file(tmp_path / "d.jsonl")
    model.write_bytes(b"1")
    dataset = Dataset.strokes(data)
    key = cache_key(model, dataset, {"invert": True})
    assert key == cache_key(model, Dataset.strokes(data), {"invert": True})
    assert key != cache_key(model, dataset, {"invert": False})
    model.write_bytes(b"22")  # retrained: another size
    assert key != cache_key(model, dataset, {"invert": True})
    before = cache_key(model, dataset, {})
    stroke_file(data, RECORDS[:2])  # the data set edited
    assert before != cache_key(model, dataset, {})


def test_offered_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MNIST_CANVAS_DATA", str(tmp_path / "data"))
    assert explore.offered_datasets(None) == []
    pen = tmp_path / "data" / "pen-digits" / "unipen1a-dev.jsonl.gz"
    pen.parent.mkdir(parents=True)
    pen.write_bytes(b"")
    mine = explore.my_digits_file()
    mine.parent.mkdir(parents=True)
    stroke_file(mine)
    offered = explore.offered_datasets(tmp_path / "mnist")
    assert [(d.kind, d.title) for d in offered] == [
        ("mnist", "MNIST test"), ("strokes", "Pen digits"), ("strokes", "My digits")
    ]  # fmt: skip
    assert offered[2].path == tmp_path / "home" / "mnist-canvas" / "mnist-canvas" / (
        "my-digits.jsonl"
    )


def test_mnist_test_is_read_as_the_evaluator_reads_it(mnist_dir, mlp):
    readings = read_dataset(mlp, Dataset.mnist(mnist_dir))
    expected = evaluate_mnist(mlp, mnist_dir)
    assert readings.result.n == 10000
    assert readings.result.confusion == expected.confusion
    first = readings.result.errors[0].index
    assert readings.sources[first].shape == (28, 28)
    assert readings.sources[first].dtype == np.uint8
    assert readings.sources[first].base is None  # not a view of all 10,000
    worst = readings.cell(*max(
        ((t, r) for t in range(10) for r in range(10) if t != r),
        key=lambda cell: readings.result.confusion[cell[0]][cell[1]],
    ))  # fmt: skip
    assert worst and all(readings.labels[e.index] == e.label for e in worst)


def test_strokes_placed_at_random_are_what_the_evaluator_reads_so(tmp_path, mlp):
    path = stroke_file(tmp_path / "few.jsonl")
    recorded = Dataset.strokes(path, "Few")
    randomly = recorded.placed("random")
    assert randomly.title == "Few, random size and position"
    assert randomly.placed("default") == recorded
    assert Dataset.mnist(tmp_path).placed("random") == Dataset.mnist(tmp_path)
    assert randomly.key() != recorded.key()
    with pytest.raises(ValueError, match="no placement"):
        recorded.placed("sideways")
    first = read_dataset(mlp, randomly)
    again = read_dataset(mlp, randomly)  # the same placement every time
    evaluated = evaluate_strokes(mlp, path, how="random", seed=1).probabilities
    assert np.array_equal(first.result.probabilities, evaluated, equal_nan=True)
    assert np.array_equal(again.result.probabilities, evaluated, equal_nan=True)
    recorded_read = read_dataset(mlp, recorded).result.probabilities
    assert not np.allclose(first.result.probabilities, recorded_read)
