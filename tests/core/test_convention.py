"""The input convention: tensors, words, JSON, output kinds. No data needed."""

import numpy as np
import pytest

from mnist_canvas.models.convention import (
    MNIST_MEAN,
    MNIST_STD,
    OURS,
    Convention,
    ConventionError,
    candidates,
    output_kind,
    to_probabilities,
)

PICTURE = np.linspace(0, 1, 2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28)


@pytest.mark.parametrize(
    ("layout", "shape"),
    [("nchw", (2, 1, 28, 28)), ("nhwc", (2, 28, 28, 1)), ("nhw", (2, 28, 28)),
     ("flat", (2, 784))],
)  # fmt: skip
def test_layouts_keep_the_pixels_in_order(layout, shape):
    tensor = Convention(layout, "0-1").to_tensor(PICTURE)
    assert tensor.shape == shape and tensor.dtype == np.float32
    np.testing.assert_array_equal(tensor.reshape(2, 28, 28), PICTURE)


@pytest.mark.parametrize(
    ("value_range", "polarity", "expected"),
    [("0-1", "white-on-black", PICTURE), ("0-255", "black-on-white",
      (1 - PICTURE) * 255), ("mnist", "white-on-black",
      (PICTURE - MNIST_MEAN) / MNIST_STD), ("-1-1", "black-on-white",
      (1 - PICTURE) * 2 - 1)],
)  # fmt: skip
def test_ranges_and_polarities(value_range, polarity, expected):
    tensor = Convention("nhw", value_range, polarity).to_tensor(PICTURE)
    np.testing.assert_allclose(tensor, expected, atol=1e-4)


def test_words_and_json_round_trip():
    c = Convention("nhwc", "0-255", "black-on-white", {"pen": False})
    assert c.describe() == (
        "expects 0–255 pixel values, black ink on white, as N×28×28×1"
    )
    assert Convention.from_dict(c.to_dict()) == c
    assert c.to_dict(steps=False) == {
        "layout": "nhwc", "range": "0-255", "polarity": "black-on-white"
    }  # fmt: skip
    assert OURS.to_dict() == {
        "layout": "nchw", "range": "mnist", "polarity": "white-on-black"
    }  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [{"layout": "nchw", "range": "0-100", "polarity": "white-on-black"},
     {"layout": "chw", "range": "0-1", "polarity": "white-on-black"},
     {"layout": "nchw", "range": "0-1", "polarity": "pink"}, [1, 2],
     {"layout": "nchw", "range": "0-1", "polarity": "white-on-black",
      "steps": {"pen": "yes"}}],
)  # fmt: skip
def test_bad_conventions_say_what_is_wrong(data):
    with pytest.raises(ConventionError):
        Convention.from_dict(data)


def test_eight_candidates_per_layout():
    found = candidates(["nhwc", "flat"])
    assert len(found) == 16 and len(set(found)) == 16


def test_output_kinds_are_recognised_and_made_probabilities():
    logits = np.array([[2.0, -1.0, 0.5, 0, 0, 0, 0, 0, 0, 3.0]], np.float32)
    probabilities = to_probabilities(logits)
    log_probabilities = np.log(probabilities)
    assert output_kind(logits) == "logits"
    assert output_kind(probabilities) == "probabilities"
    assert output_kind(log_probabilities) == "log-probabilities"
    for scores in (probabilities, log_probabilities):
        kind = output_kind(scores)
        np.testing.assert_allclose(
            to_probabilities(scores, kind), probabilities, atol=1e-6
        )
