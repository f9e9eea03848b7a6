"""The prediction worker: one model's fault is that model's answer."""

import os
import shutil

import numpy as np
import pytest

from mnist_canvas.app.predictor import Predictor
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.catalogue import Catalogue, ModelEntry
from mnist_canvas.models.classifier import Classifier, predict, shipped_weights_dir

SEVEN = Drawing(280, 280, [Stroke.from_points([(70, 50), (210, 50), (120, 240)])])


class Raises:
    """A model that loads but fails when it answers."""

    def __init__(self, name, error):
        self.name, self.error = name, error

    def steps(self, overrides):
        return dict(overrides)

    def departures(self, switched):
        return dict(switched)

    def classify(self, preprocessed):
        raise self.error


def loader(path):
    if path.stem == "fails-to-load":
        raise TypeError("'str' object is not a mapping")
    if path.stem == "fails-to-answer":
        return Raises(path.stem, ZeroDivisionError("division by zero"))
    if path.stem == "fails-blankly":
        return Raises(path.stem, KeyError())
    return Classifier.load(path)


@pytest.fixture
def predictor(qtbot, tmp_path):
    entries = [ModelEntry("mlp", shipped_weights_dir() / "mlp.safetensors", True, {})]
    for name in ["fails-to-load", "fails-to-answer", "fails-blankly"]:
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(b"")  # the loader above decides by its name
        entries.append(ModelEntry(name, path, True, {}))
    p = Predictor(Catalogue(entries), loader=loader)
    yield p
    p.stop()


def ask(qtbot, predictor, models):
    with qtbot.waitSignal(predictor.results, timeout=60_000) as blocker:
        predictor.submit(SEVEN, {}, models)
    return blocker.args[0]


def test_a_failing_model_is_reported_and_the_others_answer(qtbot, predictor):
    names = ("fails-to-load", "mlp", "fails-to-answer", "fails-blankly", "absent")
    results = ask(qtbot, predictor, names)
    assert results.errors["fails-to-load"] == "'str' object is not a mapping"
    assert results.errors["fails-to-answer"] == "division by zero"
    assert results.errors["fails-blankly"] == "KeyError"
    assert "No model called 'absent'" in results.errors["absent"]
    assert set(results.predictions) == {"mlp"}
    assert results.predictions["mlp"].probabilities.sum() == pytest.approx(1, 1e-5)


def test_the_worker_lives_on_after_a_failure(qtbot, predictor):
    ask(qtbot, predictor, ("fails-to-answer",))
    again = ask(qtbot, predictor, ("mlp", "fails-to-answer"))
    assert "mlp" in again.predictions and "fails-to-answer" in again.errors
    assert predictor.jobs._thread.isRunning()


def test_a_model_file_replaced_under_its_name_is_read_anew(qtbot, tmp_path):
    # A retrained or personalised model takes the place of the old file.
    path = tmp_path / "mine.safetensors"
    shutil.copy(shipped_weights_dir() / "mlp.safetensors", path)
    p = Predictor(Catalogue([ModelEntry("mine", path, True, {})]))
    try:
        before = ask(qtbot, p, ("mine",)).predictions["mine"].probabilities
        tmp = tmp_path / "new.part"
        shutil.copy(shipped_weights_dir() / "cnn-bn.safetensors", tmp)
        os.replace(tmp, path)
        after = ask(qtbot, p, ("mine",)).predictions["mine"].probabilities
    finally:
        p.stop()
    cnn = Classifier.load(shipped_weights_dir() / "cnn-bn.safetensors")
    expected, _ = predict(SEVEN, [cnn])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, expected[cnn.name].probabilities, atol=1e-6)


def test_a_drawing_that_cannot_be_read_is_its_own_fault_not_the_models(
    qtbot, predictor
):
    import numpy as np

    with qtbot.waitSignal(predictor.results, timeout=60_000) as blocker:
        predictor.submit(np.zeros((0, 0), np.uint8), {}, ("mlp",))  # a 0×0 picture
    results = blocker.args[0]
    # Once every model was blamed, and the window took them all out of use.
    assert results.errors == {} and results.predictions == {}
    assert results.problem == "A picture must be a 2-D grey image, not (0, 0)"


def test_compare_names_the_drawings_fault_for_every_model(qtbot):
    from mnist_canvas.app.compare import CompareView
    from mnist_canvas.models.catalogue import ModelEntry

    view = CompareView()
    qtbot.addWidget(view)
    entries = [ModelEntry(n, shipped_weights_dir() / f"{n}.safetensors", True, {})
               for n in ("mlp", "cnn")]  # fmt: skip
    view.show_results(entries, {}, {}, "A picture must be a 2-D grey image")
    assert [note for _, _, note in view.rows] == [
        "A picture must be a 2-D grey image"
    ] * 2  # once "empty drawing"
