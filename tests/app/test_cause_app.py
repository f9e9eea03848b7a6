"""In the app, the pipeline strip shows the active model's own steps."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import numpy as np
from PySide6.QtCore import Qt
from window_fixtures import SEVEN, make_window, messages, settle, window  # noqa: F401

from mnist_canvas.models.registry import DEFAULT_MODEL


def choose(qtbot, window, name):
    window.model_picker.setCurrentText(name)
    assert window.active_model() == name
    settle(qtbot, window)


def test_an_unscaled_model_is_fed_0_to_255_until_scale_is_switched_on(qtbot, window):
    window.canvas.add_stroke(SEVEN)
    settle(qtbot, window)
    default = window.probabilities.probabilities.copy()
    choose(qtbot, window, "cause-unscaled")
    switches = window.strip.switches()
    assert switches["scale"] is False and switches["normalize"] is False
    assert window.eye.pixels.max() > 200
    assert window.probabilities.digit == 7 and window.probabilities.digit == (
        default.argmax()
    )
    own = window.probabilities.probabilities.copy()
    window.strip.tiles["scale"].switch.setChecked(True)
    settle(qtbot, window)
    assert window.eye.pixels.max() <= 1.0
    assert window.probabilities.probabilities[7] < own[7]
    choose(qtbot, window, DEFAULT_MODEL)  # Scale on was a departure: it stays on
    switches = window.strip.switches()
    assert switches["scale"] is True and switches["normalize"] is True
    assert np.allclose(window.probabilities.probabilities, default, atol=1e-5)


def test_a_departure_from_the_default_carries_over_to_the_unscaled_model(qtbot, window):
    window.strip.tiles["invert"].switch.setChecked(False)
    choose(qtbot, window, "cause-unscaled")
    switches = window.strip.switches()
    assert switches["invert"] is False and switches["scale"] is False


def test_the_model_list_tooltip_and_about_show_the_description(window):
    picker = window.model_picker
    index = picker.findText("cause-imbalance")
    description = window.catalogue.get("cause-imbalance").description
    assert picker.itemData(index, Qt.ItemDataRole.ToolTipRole) == description
    picker.setCurrentIndex(index)
    assert description in picker.toolTip()
    assert description in window.model_summary()
