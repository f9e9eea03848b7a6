"""The shipped cause models: listed with their descriptions, fed as trained."""

import numpy as np

from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.classifier import Classifier, predict

CAUSES = ["cause-overfit", "cause-no-augment", "cause-imbalance", "cause-lr-high",
          "cause-sigmoid", "cause-few-epochs", "cause-unscaled"]  # fmt: skip
SEVEN = Drawing(strokes=(Stroke.from_points([(70, 50), (210, 50), (120, 240)]),))


def test_every_cause_model_is_listed_with_its_description():
    found = Catalogue.scan(user_dir=None)
    for name in CAUSES:
        entry = found.get(name)
        assert entry is not None and entry.usable and entry.shipped, name
        assert entry.description and "\n" not in entry.description
        assert entry.metrics()["mnist_test_accuracy"] > 0.1
        assert entry.metadata["command"].startswith("python train.py ")
        assert " /" not in entry.metadata["command"]  # data paths as $MNIST_CANVAS_DATA
    imbalance = found.get("cause-imbalance").description
    assert "9s" in imbalance and "27" in imbalance


def test_the_unscaled_model_is_fed_0_to_255_and_scale_on_misleads_it():
    model = Classifier.load("cause-unscaled")
    assert model.expected_steps["scale"] is False
    own = model.predict(SEVEN)
    assert own.preprocessed.input.max() > 200 and own.digit == 7
    scaled = model.predict(SEVEN, {"scale": True})
    assert scaled.preprocessed.input.max() <= 1.0
    assert scaled.probabilities[7] < own.probabilities[7]


def test_departures_from_the_active_model_reach_the_others():
    unscaled, default = Classifier.load("cause-unscaled"), Classifier.load("cnn-bn")
    shown = {**unscaled.expected_steps, "invert": True}
    readings, errors = predict(SEVEN, [unscaled, default], unscaled.departures(shown))
    assert not errors
    assert readings["cause-unscaled"].preprocessed.input.max() > 200
    assert np.abs(readings["cnn-bn"].preprocessed.input).max() < 5  # normalised
