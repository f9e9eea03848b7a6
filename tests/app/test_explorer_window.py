"""Diagnose ▸ Explore Misreadings…: open it, read a small stroke file, click a
cell and a thumbnail; the digit opens on the canvas. Bad input is told."""

import threading

import pytest
from explorer_data import RECORDS, stroke_file
from PySide6.QtCore import Qt
from window_fixtures import make_window, messages, weights_copy  # noqa: F401

from mnist_canvas.app import explorer as explorer_module
from mnist_canvas.app.actions import menu
from mnist_canvas.ink.drawing import Drawing
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.convention import Convention
from mnist_canvas.models.engine import ModelError


def _open(window):
    action = next(a for a in menu(window, "&Diagnose").actions()
                  if a.text() == "Explore &Misreadings…")  # fmt: skip
    assert action.shortcut().toString() == "Ctrl+E"
    action.trigger()
    return window.explorer


def _read(qtbot, explorer, path):
    explorer.add_stroke_file(str(path))
    qtbot.waitUntil(
        lambda: not explorer.runs.busy() and explorer.readings is not None,
        timeout=20000,
    )


def _click_cell(qtbot, explorer, true, read):
    matrix = explorer.matrix
    rect = matrix.visualItemRect(matrix.item(true, read))
    qtbot.mouseClick(matrix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_thumbnail(qtbot, explorer, row):
    gallery = explorer.gallery
    rect = gallery.visualRect(gallery.model().index(row))
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def window(make_window, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    return make_window()


@pytest.fixture
def few_read(qtbot, window, tmp_path):
    """The explorer, open, having read a few strokes with mlp."""
    window.model_picker.choose("mlp")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    return explorer


def test_a_cell_and_a_thumbnail_open_the_digit_on_the_canvas(qtbot, window, tmp_path):
    window.model_picker.choose("mlp")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    confusion = explorer.readings.result.confusion
    assert explorer.matrix.item(1, 7).text() == str(confusion[1][7]) == "1"
    assert explorer.matrix.item(1, 1).text() == str(confusion[1][1])
    assert "mlp" in explorer.summary.text() and f"of {len(RECORDS)}" in (
        explorer.summary.text()
    )
    _click_cell(qtbot, explorer, 1, 7)
    assert explorer.gallery.count() == 1
    assert explorer.gallery.model().index(0).data().startswith("7: ")
    before = window.canvas.source()
    _click_thumbnail(qtbot, explorer, 0)
    opened = window.canvas.source()
    assert isinstance(opened, Drawing) and opened == explorer.readings.sources[2]
    assert opened != before
    window.canvas.undo_stack.undo()
    assert window.canvas.source() == before


def test_a_second_model_against_the_first(qtbot, window, tmp_path):
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("mlp")
    explorer.other.setCurrentText("cnn-bn")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    assert explorer.against is not None and explorer.against.model == "cnn-bn"
    assert explorer.wins.isVisible() and "mlp right, cnn-bn wrong" in (
        explorer.wins.text()
    )
    explorer.wins.click()
    assert explorer.gallery.count() == int(explorer.wins.text().split(": ")[-1])


def test_a_model_trained_meanwhile_is_offered_and_explored(
    qtbot,
    make_window,  # noqa: F811
    weights_copy,  # noqa: F811
    tmp_path,
):
    window = make_window()
    explorer = _open(window)
    qtbot.addWidget(explorer)
    user = tmp_path / "user-models"
    mine = user / "mine.safetensors"
    mine.write_bytes((weights_copy / "mlp.safetensors").read_bytes())
    window.add_model(str(mine))
    qtbot.waitUntil(lambda: explorer.model.findText("mine") >= 0, timeout=5000)
    explorer.model.setCurrentText("mine")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    assert explorer.readings.model == "mine"
    assert [e.index for e in explorer.readings.result.errors] == [2, 4, 5]


def test_an_imported_model_is_explored(qtbot, make_window, tmp_path, monkeypatch):  # noqa: F811
    import json

    from onnx_models import wrapped_model

    from mnist_canvas.app import main_window

    user = tmp_path / "user-models"
    user.mkdir()
    monkeypatch.setattr(main_window, "user_models_dir", lambda: user)
    convention = Convention("nhwc", "0-255", "black-on-white")
    path = wrapped_model(user, convention).rename(user / "theirs.onnx")
    sidecar = {"model": {"arch": "imported-onnx"}, "convention": convention.to_dict(),
               "output": "logits", "preprocessing": dict(convention.steps)}  # fmt: skip
    (user / "theirs.onnx.json").write_text(json.dumps(sidecar))
    window = make_window()
    assert "theirs" in window.catalogue.usable(), window.catalogue.unusable()
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("theirs")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    ours = Classifier.load("mlp")
    assert explorer.readings.model == "theirs"
    first = explorer.readings.result.errors[0].index
    expected = ours.predict(explorer.readings.sources[first]).probabilities
    assert path.is_file()
    assert explorer.readings.result.probabilities[first] == pytest.approx(
        expected, abs=1e-4
    )


def test_a_bad_record_is_told_and_the_reading_kept(qtbot, window, tmp_path):
    explorer = _open(window)
    qtbot.addWidget(explorer)
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    shown = explorer.readings
    explorer.add_stroke_file(str(stroke_file(tmp_path / "bad.jsonl", bad_line=3)))
    qtbot.waitUntil(lambda: "Cannot read it" in explorer.message.text(), timeout=20000)
    assert "bad.jsonl:3: 'label' must be a digit" in explorer.message.text()
    assert "previous reading" in explorer.message.text()
    assert explorer.readings is shown and explorer.matrix.item(1, 7).text() == "1"
    window.canvas.add_stroke([(150, 50), (146, 120), (140, 230)])  # app carries on


def test_a_missing_mnist_folder_is_told(qtbot, window, tmp_path):
    window.settings.set_mnist_dir(str(tmp_path / "gone"))
    explorer = _open(window)
    qtbot.addWidget(explorer)
    assert explorer.data.currentText() == "MNIST test"
    qtbot.waitUntil(lambda: "Cannot read it" in explorer.message.text(), timeout=20000)
    assert "gone: no such folder" in explorer.message.text()


class Gate:
    """A model that fails (or waits) from its second batch on."""

    def __init__(self, name, fail=True):
        self.model = Classifier.load("mlp")
        self.name, self.fail, self.calls = name, fail, 0
        self.started, self.release = threading.Event(), threading.Event()

    def steps(self, overrides=None):
        return self.model.steps(overrides)

    def for_batches(self):
        return self  # its batches too go through `probabilities`

    def probabilities(self, inputs):
        self.calls += 1
        if self.calls > 1:
            if self.fail:
                raise ModelError("running it failed (its output has no rows)")
            self.started.set()
            self.release.wait(10)
        return self.model.probabilities(inputs)


def test_a_model_failing_midway_is_told(qtbot, window, tmp_path):
    gate = Gate("mlp")
    explorer = explorer_module.Explorer(window, loader=lambda path: gate)
    window.explorer = explorer
    qtbot.addWidget(explorer)
    explorer.show()
    explorer.model.setCurrentText("mlp")
    explorer.add_stroke_file(str(stroke_file(tmp_path / "many.jsonl", RECORDS * 80)))
    qtbot.waitUntil(lambda: "Cannot read it" in explorer.message.text(), timeout=20000)
    assert "mlp failed on" in explorer.message.text()
    assert "many.jsonl, lines 501–640" in explorer.message.text()
    assert explorer.readings is None and not explorer.cancel_button.isVisible()


def test_cancel_stops_the_reading(qtbot, window, tmp_path):
    gate = Gate("mlp", fail=False)
    explorer = explorer_module.Explorer(window, loader=lambda path: gate)
    qtbot.addWidget(explorer)
    explorer.show()
    explorer.model.setCurrentText("mlp")
    explorer.add_stroke_file(str(stroke_file(tmp_path / "many.jsonl", RECORDS * 80)))
    assert gate.started.wait(20)
    assert explorer.cancel_button.isVisible()
    explorer.cancel_button.click()
    gate.release.set()
    qtbot.waitUntil(lambda: not explorer.runs.busy(), timeout=20000)
    assert explorer.readings is None and explorer.runs.cache == {}
    assert "Cancelled" in explorer.message.text()
    explorer.runs.stop()


def test_readings_are_kept_while_the_app_runs(qtbot, window, tmp_path):
    explorer = _open(window)
    qtbot.addWidget(explorer)
    path = stroke_file(tmp_path / "few.jsonl")
    _read(qtbot, explorer, path)
    first = explorer.readings
    explorer.read()
    assert not explorer.runs.busy() and explorer.readings is first
    window.strip.set_switches({**window.strip.switches(), "invert": False})
    window.strip.switchesChanged.emit(window.strip.switches())
    qtbot.waitUntil(lambda: explorer.readings is not first, timeout=20000)
    assert len(explorer.runs.cache) == 2


def test_an_mnist_digit_opens_as_a_picture(qtbot, window, mnist_dir):
    window.settings.set_mnist_dir(str(mnist_dir))
    window.model_picker.choose("mlp")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    qtbot.waitUntil(lambda: explorer.readings is not None, timeout=60000)
    assert explorer.readings.result.n == 10000
    assert not explorer.placement.isEnabled()  # placing is for strokes
    errors = explorer.readings.result.errors
    _click_cell(qtbot, explorer, errors[0].label, errors[0].predicted)
    assert explorer.gallery.count() >= 1
    _click_thumbnail(qtbot, explorer, 0)
    picture = window.canvas.picture
    assert picture is not None and picture.shape == (280, 280)
    assert picture.max() > 200 and picture.min() < 50  # dark ink on light paper


def test_my_digits_are_offered_and_empty_drawings_told(qtbot, window, tmp_path):
    from mnist_canvas.diagnosis.explore import my_digits_file

    mine = my_digits_file()
    mine.parent.mkdir(parents=True)
    stroke_file(mine, [*RECORDS, (3, [])])  # the last: a 3 with no strokes
    explorer = _open(window)
    qtbot.addWidget(explorer)
    assert explorer.data.currentText() == "My digits"
    qtbot.waitUntil(lambda: explorer.readings is not None, timeout=20000)
    assert explorer.readings.dataset.path == mine
    assert "4 misread (1 of them empty: in no cell)" in explorer.summary.text()


def _own_reading(model, dataset, departures=None):
    from mnist_canvas.diagnosis.explore import read_dataset

    classifier = Classifier.load(model)
    return read_dataset(
        classifier, dataset, {**classifier.expected_steps, **(departures or {})}
    )


def test_each_model_reads_with_its_own_steps_and_the_departures(
    qtbot, window, tmp_path
):
    window.model_picker.choose("cnn-bn")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("cause-unscaled")
    explorer.other.setCurrentText("cnn-bn")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    dataset = explorer.readings.dataset
    unscaled = dict(explorer.wanted[0].steps)
    assert unscaled["scale"] is False and unscaled["normalize"] is False
    assert dict(explorer.wanted[1].steps)["scale"] is True
    own = _own_reading("cause-unscaled", dataset)
    assert explorer.readings.result.confusion == own.result.confusion
    # A step switched off on the strip is switched off for every model read.
    window.strip.set_switches({**window.strip.switches(), "center": False})
    qtbot.waitUntil(lambda: not explorer.runs.busy()
                    and dict(explorer.wanted[0].steps)["center"] is False
                    and explorer.readings is not None
                    and explorer.readings.model == "cause-unscaled"
                    and explorer.runs.readings(explorer.wanted[0])
                    is explorer.readings, timeout=20000)  # fmt: skip
    assert dict(explorer.wanted[0].steps)["scale"] is False
    departed = _own_reading("cause-unscaled", dataset, {"center": False})
    assert explorer.readings.result.confusion == departed.result.confusion


def test_the_active_models_recipe_is_not_given_to_the_others(qtbot, window, tmp_path):
    window.model_picker.choose("cause-unscaled")
    assert window.strip.switches()["scale"] is False
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("cnn")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    assert dict(explorer.wanted[0].steps) == Classifier.load("cnn").expected_steps


def test_mnist_test_read_by_a_model_with_its_own_recipe(qtbot, window, mnist_dir):
    window.settings.set_mnist_dir(str(mnist_dir))
    window.model_picker.choose("cnn-bn")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("cause-unscaled")
    explorer.read()
    qtbot.waitUntil(lambda: not explorer.runs.busy() and explorer.readings
                    is not None and explorer.readings.model == "cause-unscaled",
                    timeout=120000)  # fmt: skip
    assert explorer.readings.result.n == 10000
    assert explorer.readings.result.accuracy > 0.98


def test_opening_a_thumbnail_keeps_the_gallery_and_the_cell(qtbot, window, tmp_path):
    window.model_picker.choose("cause-unscaled")
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("mlp")
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    shown = explorer.readings
    _click_cell(qtbot, explorer, 1, 7)
    assert explorer.gallery.count() == 1
    cell = (explorer.matrix.currentRow(), explorer.matrix.currentColumn())
    title = explorer.gallery_title.text()
    _click_thumbnail(qtbot, explorer, 0)
    assert window.active_model() == "mlp"
    assert window.strip.switches()["scale"] is True  # mlp's own steps
    qtbot.wait(50)
    assert not explorer.runs.busy() and explorer.readings is shown
    assert explorer.gallery.count() == 1 and explorer.gallery_title.text() == title
    assert (explorer.matrix.currentRow(), explorer.matrix.currentColumn()) == cell


def test_the_gallery_shows_every_misreading_and_draws_only_those_in_view(qtbot, calls):
    import numpy as np

    from mnist_canvas.app import misreading_gallery
    from mnist_canvas.app.misreading_gallery import MisreadingGallery

    drawn = calls(misreading_gallery, "thumbnail")
    gallery = MisreadingGallery()
    qtbot.addWidget(gallery)
    gallery.resize(420, 300)
    gallery.show()
    items = [(i, np.full((28, 28), i % 7, np.float32), f"{i}", "") for i in range(900)]
    gallery.show_items(items)  # once only the first 500 were shown
    assert gallery.count() == 900
    qtbot.waitUntil(lambda: len(drawn) > 0)
    in_view = len(drawn)
    assert in_view < 60  # four rows of four, not 900
    last = gallery.model().index(899)
    gallery.scrollTo(last)
    qtbot.waitUntil(lambda: len(drawn) > in_view)
    chosen = []
    gallery.itemChosen.connect(chosen.append)
    rect = gallery.visualRect(last)
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [899]


def test_stroke_digits_can_be_read_at_random_sizes_and_positions(
    qtbot, window, few_read
):
    explorer = few_read
    recorded = explorer.readings
    assert explorer.placement.isEnabled()
    explorer.placement.setCurrentIndex(explorer.placement.findData("random"))
    explorer.placement.activated.emit(explorer.placement.currentIndex())
    qtbot.waitUntil(
        lambda: explorer.readings is not recorded and not explorer.runs.busy(),
        timeout=20000,
    )
    randomly = explorer.readings
    assert randomly.dataset.placement == "random"
    assert "random size and position" in explorer.summary.text()
    index = randomly.result.errors[0].index
    assert randomly.sources[index] != recorded.sources.get(index)
    true, read = randomly.result.errors[0].label, randomly.result.errors[0].predicted
    _click_cell(qtbot, explorer, true, read)
    row = [e.index for e in randomly.cell(true, read)].index(index)
    _click_thumbnail(qtbot, explorer, row)
    assert window.canvas.source() == randomly.sources[index]  # as it was read


def test_a_late_failure_of_a_reading_left_behind_keeps_the_new_choice(
    qtbot, few_read, tmp_path
):
    explorer = few_read
    left_behind = explorer.asked[0]
    explorer.add_stroke_file(str(stroke_file(tmp_path / "other.jsonl")))
    chosen = list(explorer.wanted)
    explorer.runs.failed.emit(left_behind, "it failed long ago")
    assert explorer.wanted == chosen  # once emptied: the new choice never read
    assert "failed long ago" not in explorer.message.text()
    qtbot.waitUntil(
        lambda: (
            explorer.readings is not None
            and explorer.readings.dataset.path.name == "other.jsonl"
        ),
        timeout=20000,
    )


def test_a_file_changed_while_read_is_read_again(tmp_path):
    from mnist_canvas.app.explorer_run import Job
    from mnist_canvas.diagnosis.explore import Dataset

    model = tmp_path / "m.safetensors"
    model.write_bytes(b"1")
    data = stroke_file(tmp_path / "few.jsonl")
    before = Job.make("m", model, Dataset.strokes(data), {})
    stroke_file(data, RECORDS[:3])  # replaced while `before` was being read
    after = Job.make("m", model, Dataset.strokes(data), {})
    assert before.key != after.key  # its reading is not taken for the new file


def test_a_digit_one_model_misreads_opens_from_the_against_gallery(
    qtbot, window, tmp_path
):
    explorer = _open(window)
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("mlp")
    explorer.other.setCurrentText("cause-lr-high")  # reads every digit as 1
    _read(qtbot, explorer, stroke_file(tmp_path / "few.jsonl"))
    explorer.wins.click()  # mlp right, cause-lr-high wrong: the latter's
    assert explorer.gallery.count() >= 1
    index = explorer.gallery.model().index(0).data(Qt.ItemDataRole.UserRole)
    assert index not in explorer.readings.sources  # mlp read it right
    _click_thumbnail(qtbot, explorer, 0)  # once a KeyError: mlp's misreadings
    assert window.canvas.source() == explorer.against.sources[index]
    assert window.active_model() == "cause-lr-high"  # the model that misreads it


def test_a_model_is_loaded_once_for_all_its_readings(qtbot, window, tmp_path):
    loaded = []

    def loader(path):
        loaded.append(path.name)
        return Classifier.load(path, 1)

    explorer = explorer_module.Explorer(window, loader=loader)
    window.explorer = explorer
    qtbot.addWidget(explorer)
    explorer.model.setCurrentText("mlp")
    for name in ("one.jsonl", "two.jsonl", "three.jsonl"):
        _read(qtbot, explorer, stroke_file(tmp_path / name))
        qtbot.waitUntil(lambda name=name: explorer.readings.dataset.path.name == name)
    assert loaded == ["mlp.safetensors"]  # once for each reading before


def test_a_model_added_later_is_named_whole_in_the_picker(
    qtbot,
    make_window,  # noqa: F811
    weights_copy,  # noqa: F811
    tmp_path,
):
    window = make_window()
    picker = window.model_picker
    qtbot.waitUntil(lambda: picker.width() >= picker.sizeHint().width())  # laid out
    mine = tmp_path / "user-models" / "cnn-bn-wide-x2-mine.safetensors"
    mine.write_bytes((weights_copy / "mlp.safetensors").read_bytes())
    window.add_model(str(mine), True)
    assert picker.currentText() == "cnn-bn-wide-x2-mine"
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    def room() -> int:
        option = QStyleOptionComboBox()
        picker.initStyleOption(option)
        field = picker.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option,
            QStyle.SubControl.SC_ComboBoxEditField, picker,
        )  # fmt: skip
        return field.width()

    # Once fixed at the width of the names the window first showed: "…-min".
    text = picker.fontMetrics().horizontalAdvance(picker.currentText())
    qtbot.waitUntil(lambda: room() >= text)


def test_the_explorer_says_its_steps_and_closes_on_esc_and_ctrl_w(qtbot, few_read):
    explorer, window = few_read, few_read.main
    assert "Steps: each model's own" in explorer.summary.text()
    window.strip.set_switches({"invert": False})
    qtbot.waitUntil(lambda: not explorer.runs.busy(), timeout=20000)
    qtbot.waitUntil(lambda: "Invert switched off" in explorer.summary.text())
    canvas_right = window.canvas.mapToGlobal(window.canvas.rect().topRight()).x()
    assert explorer.geometry().left() >= min(
        canvas_right, explorer.screen().availableGeometry().right() - explorer.width()
    )
    for keys in (Qt.Key.Key_Escape, Qt.Key.Key_W):
        modifier = (
            Qt.KeyboardModifier.ControlModifier
            if keys == Qt.Key.Key_W
            else Qt.KeyboardModifier.NoModifier
        )
        _open(window)
        qtbot.waitUntil(explorer.isVisible)
        explorer.activateWindow()
        qtbot.waitUntil(lambda: explorer.isActiveWindow())
        qtbot.keyClick(explorer, keys, modifier)
        qtbot.waitUntil(lambda: not explorer.isVisible())
