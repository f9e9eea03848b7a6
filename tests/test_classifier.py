import numpy as np
import pytest
import torch
from torch import nn

from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.checkpoint import CheckpointError, load_checkpoint
from mnist_canvas.models.classifier import Classifier, resolve_model
from mnist_canvas.models.registry import DEFAULT_MODEL, REGISTRY


def one():
    return Drawing(strokes=(Stroke.from_points([(150, 50), (140, 230)], 18),))


def zero():
    ring = [
        (140 + 60 * np.cos(t), 140 + 90 * np.sin(t)) for t in np.linspace(0, 6.3, 60)
    ]
    return Drawing(strokes=(Stroke.from_points(ring, 18),))


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_shipped_model_loads_and_predicts(name):
    clf = Classifier.load(name)
    prediction = clf.predict(one())
    p = prediction.probabilities
    assert p.shape == (10,) and p.sum() == pytest.approx(1.0, abs=1e-5)
    assert (p >= 0).all()
    assert clf.metadata["model"]["arch"] == name
    assert clf.metadata["metrics"]["mnist_test_accuracy"] > 0.9


def test_default_model_reads_simple_digits():
    clf = Classifier.load()
    assert clf.predict(one()).digit == 1
    assert clf.predict(zero()).digit == 0


def test_batchnorm_is_folded_and_the_outputs_stay_the_same():
    model, metadata = load_checkpoint(resolve_model(DEFAULT_MODEL))
    clf = Classifier(model, metadata, DEFAULT_MODEL)
    kinds = {type(m) for m in clf.model.modules()}
    assert nn.BatchNorm2d in {type(m) for m in model.modules()}
    assert nn.BatchNorm2d not in kinds and nn.Conv2d in kinds
    inputs = torch.randn(16, 28, 28).numpy()
    with torch.inference_mode():
        expected = torch.softmax(model.eval()(torch.from_numpy(inputs)[:, None]), 1)
    np.testing.assert_allclose(clf.probabilities(inputs), expected, atol=1e-5)


def test_empty_drawing_gets_no_prediction():
    prediction = Classifier.load().predict(Drawing())
    assert prediction.is_empty
    assert prediction.probabilities is None and prediction.digit is None


def test_switching_steps_changes_the_input():
    clf = Classifier.load()
    normal = clf.predict(one())
    raw = clf.predict(one(), {"scale": False})
    assert raw.preprocessed.input.max() > 100 > normal.preprocessed.input.max()


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="no such model file"):
        Classifier.load("no-such-model")
    with pytest.raises(CheckpointError, match="no such model file"):
        Classifier.load(tmp_path / "x.safetensors")
