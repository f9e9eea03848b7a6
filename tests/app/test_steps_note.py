"""Nothing misleads: switches that differ from the model's own are named next
to the reading, with one click back; a cause model says what it carries; a
switch a model cannot use is disabled with why; the reading's colour and words
follow its confidence and its input."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import numpy as np
from window_fixtures import (  # noqa: F401
    SEVEN,
    make_window,
    messages,
    settle,
    window,
)

from mnist_canvas.app.model_recipe import unusable_switches
from mnist_canvas.app.probabilities import FAIR, OUT, TOP, UNSURE, verdict
from mnist_canvas.app.steps_note import departures_text


def test_a_switched_off_step_is_named_next_to_the_reading(qtbot, window):
    note = window.steps_note
    assert note.warning.isHidden()  # the model's own steps: nothing to say
    window.strip.set_switches({"invert": False})
    assert not note.warning.isHidden()
    assert "Invert is switched off" in note.departures.text()
    assert window.active_model() in note.departures.text()
    note.restore.click()  # one click back
    assert window.strip.switches()["invert"] is True
    assert note.warning.isHidden()


def test_a_step_switched_off_last_time_is_said_at_the_next_start(qtbot, make_window):
    first = make_window("steps.ini")
    first.strip.set_switches({"invert": False, "crop": False})
    first.close()
    second = make_window("steps.ini")
    assert second.strip.switches()["invert"] is False  # kept, and said:
    assert not second.steps_note.warning.isHidden()
    assert "Invert and Crop are switched off" in second.steps_note.departures.text()


def test_a_cause_model_says_what_it_carries_and_the_steps_it_changed(qtbot, window):
    window.model_picker.choose("cause-unscaled")
    note = window.steps_note
    assert not note.carries.isHidden()
    text = note.carries.text()
    assert "cause-unscaled carries" in text and "Scale to [0, 1]" in text
    assert "Normalise" in text
    assert note.warning.isHidden()  # its own steps, though two are off
    assert "as this model was trained" in window.strip_box.title()
    window.model_picker.choose("cnn")
    assert note.carries.isHidden()
    assert "switch a step off" in window.strip_box.title()


def test_a_switch_the_model_cannot_use_is_disabled_with_why(qtbot, window):
    window.model_picker.choose("svm")  # it has a convention: 0–1 values
    for name in ("scale", "normalize"):
        switch = window.strip.tiles[name].switch
        assert not switch.isEnabled()
        assert "Not used by this model" in switch.toolTip()
    window.model_picker.choose("cnn")
    assert window.strip.tiles["normalize"].switch.isEnabled()
    assert "MNIST's mean" in window.strip.tiles["normalize"].switch.toolTip()
    assert unusable_switches({}) == {}


def test_scale_off_is_flagged_on_the_reading(qtbot, window):
    window.canvas.add_stroke(SEVEN)
    settle(qtbot, window)
    assert window.probabilities.outside is None
    window.strip.set_switches({"scale": False})
    settle(qtbot, window)
    flag = window.probabilities.outside
    assert flag is not None and "827" in flag  # 255 normalised
    colour, words = verdict(window.probabilities.probabilities, flag)
    assert colour == OUT and "do not trust" in words


def test_the_readings_colour_and_words_follow_its_confidence():
    def p(top):
        values = np.full(10, (1 - top) / 9, dtype=np.float32)
        values[7] = top
        values[1] += 0.001
        return values

    assert verdict(p(0.97)) == (TOP, "97.0% sure")
    colour, words = verdict(p(0.7))
    assert colour == FAIR and words.startswith("fairly sure")
    colour, words = verdict(p(0.27))
    assert colour == UNSURE and words.startswith("unsure: 27.0%") and "(or 1" in words


def test_departures_in_words():
    assert departures_text("cnn", {}) == ""
    text = departures_text("cnn", {"scale": True, "normalize": False})
    assert "Normalise is switched off and Scale to [0, 1] is switched on" in text


def test_one_note_at_a_time_the_warning_first(qtbot, window):
    window.model_picker.choose("cause-unscaled")
    note = window.steps_note
    carried = note.carries.text()
    window.strip.set_switches({"scale": True})  # away from its own steps
    assert not note.warning.isHidden() and note.carries.isHidden()
    assert carried and note.warning.toolTip() == carried
    note.restore.click()  # back to its own steps: what it carries again
    assert note.warning.isHidden() and not note.carries.isHidden()
