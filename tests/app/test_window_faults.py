"""Faults the window must survive: unsaved work, bad places, broken models."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import shutil

import numpy as np
import pytest
import window_fixtures as wf
from PySide6.QtWidgets import QMessageBox
from test_predictor import Raises
from window_fixtures import make_window, messages, weights_copy, window  # noqa: F401

from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.registry import DEFAULT_MODEL


@pytest.fixture
def answer(monkeypatch, messages):
    """Answer "Save first?" with the button given; record the question."""

    def set_answer(button):
        def question(parent, title, text, *args, **kwargs):
            messages.append(("question", title, text))
            return button

        monkeypatch.setattr(QMessageBox, "question", staticmethod(question))

    return set_answer


@pytest.fixture
def saved_seven(window, tmp_path):
    window.canvas.add_stroke(wf.SEVEN)
    window.document.save_as(str(tmp_path / "seven.json"))
    window.document.new()
    return tmp_path / "seven.json"


def test_open_over_unsaved_work_asks_and_cancel_keeps_it(
    window, saved_seven, answer, messages
):
    window.canvas.add_stroke(wf.ONE)
    answer(QMessageBox.StandardButton.Cancel)
    assert not window.document.open(str(saved_seven))
    assert [m[0] for m in messages] == ["question"]
    assert len(window.canvas.drawing.strokes) == 1
    assert window.document.has_unsaved_work()
    answer(QMessageBox.StandardButton.Discard)
    assert window.document.open(str(saved_seven))
    assert window.document.file_path == saved_seven
    assert not window.document.has_unsaved_work()


def test_a_picture_on_the_canvas_is_never_saved_as_an_empty_drawing(
    window, saved_seven, answer, messages, monkeypatch, tmp_path
):
    from PySide6.QtWidgets import QFileDialog

    assert window.document.open(str(saved_seven))
    before = saved_seven.read_bytes()
    picture = np.full((280, 280), 255, np.float32)
    picture[60:220, 130:150] = 0  # a 1, as the explorer or Why puts one there
    window.canvas.set_picture(picture, "Open training digit 3")
    # Ctrl+S once wrote an empty drawing over seven.json and said "Saved".
    answer(QMessageBox.StandardButton.No)
    assert not window.document.save() and not window.document.save_as()
    assert saved_seven.read_bytes() == before
    assert [m[0] for m in messages] == ["question", "question"]
    assert "PNG" in messages[0][2]
    answer(QMessageBox.StandardButton.Yes)
    png = tmp_path / "picture.png"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(png), ""))
    )
    assert window.document.save()
    assert png.stat().st_size > 0 and saved_seven.read_bytes() == before


def test_new_over_unsaved_work_asks(window, answer, messages):
    window.canvas.add_stroke(wf.ONE)
    answer(QMessageBox.StandardButton.Cancel)
    assert not window.document.new()
    assert len(window.canvas.drawing.strokes) == 1 and messages


def test_a_bad_file_asks_nothing_and_changes_nothing(window, tmp_path, messages):
    window.canvas.add_stroke(wf.ONE)
    (tmp_path / "bad.json").write_text('{"canvas": 5, "strokes": [{"points": [[1]]}]}')
    assert not window.document.open(str(tmp_path / "bad.json"))
    assert not window.document.open(str(tmp_path / "absent.png"))
    (tmp_path / "hostname").write_text("a text file\n")
    assert not window.document.open(str(tmp_path / "hostname"))
    assert [m[0] for m in messages] == ["warning", "warning", "warning"]
    assert "nor a drawing (.json)" in messages[-1][2]
    assert "cannot identify" not in messages[-1][2]  # PIL's words, once shown
    assert len(window.canvas.drawing.strokes) == 1


def test_a_failed_save_leaves_the_drawing_unsaved(window, tmp_path, messages):
    window.canvas.add_stroke(wf.ONE)
    assert not window.document.save_as(str(tmp_path / "no" / "dir" / "one.json"))
    assert messages[-1][1] == "Not saved"
    assert window.document.has_unsaved_work() and "•" in window.windowTitle()


@pytest.mark.parametrize("name", ["missing/x", "folder"])
def test_export_to_an_unwritable_place_says_so(qtbot, window, tmp_path, messages, name):
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "folder.npy").mkdir()
    window.canvas.add_stroke(wf.SEVEN)
    wf.settle(qtbot, window)
    assert not window.document.export_png(str(tmp_path / f"{name}.png"))
    assert not window.export_input(str(tmp_path / f"{name}.npy"))
    assert not list(tmp_path.glob(".*part*"))  # nothing half-written is left
    assert not window.export_input(str(tmp_path / f"{name}.png"))
    assert [m[1] for m in messages] == ["Not exported"] * 3


def broken_loader(path):
    if path.stem in ("mlp", "cnn"):
        raise RuntimeError(f"{path.name} is broken")
    return Classifier.load(path)


def test_a_broken_choice_falls_back_to_the_default_with_one_message(
    qtbot, make_window, messages
):
    window = make_window(loader=broken_loader)
    picker = window.model_picker
    picker.setCurrentIndex(picker.findText("mlp"))
    window.canvas.add_stroke(wf.ONE)
    qtbot.waitUntil(lambda: "mlp" in window.catalogue.unusable(), timeout=60_000)
    assert window.active_model() == DEFAULT_MODEL  # not the next entry
    assert picker.findText("mlp") < 0 and picker.findText("cnn") >= 0
    wf.settle(qtbot, window)
    assert window.probabilities.digit == 1
    assert [m[0] for m in messages] == ["warning"]
    assert "mlp.safetensors is broken" in messages[0][2]


def test_compare_shows_each_failure_in_its_row_with_one_message(
    qtbot, make_window, messages
):
    window = make_window(loader=broken_loader)
    window.canvas.add_stroke(wf.SEVEN)
    window.menu_actions.compare.trigger()
    qtbot.waitUntil(lambda: len(window.catalogue.unusable()) == 2, timeout=60_000)
    wf.settle(qtbot, window)
    rows = {name: (p, note) for name, p, note in window.compare.rows}
    assert rows["mlp"][0] is None and "mlp.safetensors is broken" in rows["mlp"][1]
    assert rows["cnn"][0] is None and "is broken" in rows["cnn"][1]
    assert rows[DEFAULT_MODEL][0] is not None
    assert [m[0] for m in messages] == ["warning"]


def test_a_model_that_raises_while_answering_shows_its_error(
    qtbot, make_window, messages
):
    def loader(path):
        return Raises("mlp", TypeError("bad input")) if path.stem == "mlp" else None

    def load(path):
        return loader(path) or Classifier.load(path)

    window = make_window(loader=load)
    window.model_picker.choose("mlp")
    window.canvas.add_stroke(wf.ONE)
    qtbot.waitUntil(lambda: "mlp" in window.catalogue.unusable(), timeout=60_000)
    assert window.catalogue.unusable()["mlp"] == "bad input"
    wf.settle(qtbot, window)
    assert window.probabilities.digit == 1  # the default took over


def test_user_models_with_broken_metadata_do_not_stop_the_app(
    qtbot, weights_copy, make_window, messages, tmp_path
):
    user = tmp_path / "user-models"
    source = weights_copy / f"{DEFAULT_MODEL}.safetensors"
    wf.copy_with_metadata(
        source, user / "null.safetensors", lambda m: m.update(model=None)
    )
    wf.copy_with_metadata(
        source, user / "x.safetensors", lambda m: m.update(preprocessing="x")
    )
    shutil.copy(source, user / "fine.safetensors")
    window = make_window()
    assert set(window.catalogue.unusable()) == {"null", "x"}
    assert window.model_picker.findText("fine") >= 0
    qtbot.waitUntil(lambda: len(messages) == 1)
    assert "null.safetensors" in messages[0][2] and "x.safetensors" in messages[0][2]
    window.model_picker.choose("fine")
    window.canvas.add_stroke(wf.ONE)
    wf.settle(qtbot, window)
    assert window.probabilities.digit == 1


def test_an_empty_catalogue_says_so(qtbot, make_window):
    window = make_window(catalogue=Catalogue([]))
    assert window.active_model() is None and window.request_prediction() is None
    assert "No usable model" in window.probabilities.message


class _Busy:
    """A view that is still doing something when the window closes."""

    def __init__(self):
        self.stopped = False

    def busy(self):
        return None if self.stopped else "A model is being personalised."

    def stop(self):
        self.stopped = True


def test_closing_asks_before_stopping_background_work(window, monkeypatch):
    view = _Busy()
    window.views.append(view)
    asked, answer = [], [QMessageBox.StandardButton.No]

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window.canvas.undo_stack.setClean()
    assert not window.close()  # "No": the window and the work stay
    assert "being personalised" in asked[0] and not view.stopped
    answer[0] = QMessageBox.StandardButton.Yes
    assert window.close() and view.stopped


@pytest.mark.parametrize("typed", ["seven", "seven.v2"])
def test_a_name_without_the_suffix_never_replaces_another_file_unasked(
    window, saved_seven, answer, messages, tmp_path, typed
):
    window.canvas.add_stroke(wf.ONE)
    before = saved_seven.read_bytes()
    answer(QMessageBox.StandardButton.No)
    target = tmp_path / f"{typed}.json"
    if typed == "seven":  # the name typed plus .json is the saved seven
        assert not window.document.save_as(str(tmp_path / typed))
        assert saved_seven.read_bytes() == before  # once replaced unasked
        assert messages[-1][:2] == ("question", "Replace the file?")
        answer(QMessageBox.StandardButton.Yes)
    assert window.document.save_as(str(tmp_path / typed))
    assert target.is_file() and window.document.file_path == target
    assert (saved_seven.read_bytes() == before) == (typed != "seven")


def test_exporting_the_input_as_a_bare_name_asks_before_replacing(
    qtbot, window, answer, messages, tmp_path
):
    window.canvas.add_stroke(wf.SEVEN)
    wf.settle(qtbot, window)
    assert window.eye.pixels is not None
    (tmp_path / "input.npy").write_bytes(b"mine")
    answer(QMessageBox.StandardButton.No)
    assert not window.export_input(str(tmp_path / "input"))
    assert (tmp_path / "input.npy").read_bytes() == b"mine"
    assert messages[-1][:2] == ("question", "Replace the file?")
    assert window.export_input(str(tmp_path / "input.png"))  # a suffix it knows
    assert (tmp_path / "input.png").is_file()
    assert window.export_input(str(tmp_path / "upper.NPY"))  # once 0 bytes
    assert np.load(tmp_path / "upper.NPY").shape == (28, 28)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "input.npy", "input.png", "upper.NPY"
    ]  # fmt: skip


def test_file_dialogs_open_where_the_last_file_was_picked(
    window, saved_seven, monkeypatch, tmp_path
):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from mnist_canvas.app import file_dialogs

    monkeypatch.setattr(file_dialogs, "_last", None)
    monkeypatch.chdir(tmp_path)
    asked = []

    def dialog(answer):
        def ask(parent, title, start, filters):
            asked.append(Path(start))
            return answer, ""

        return staticmethod(ask)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog(str(saved_seven)))
    assert window.document.open(ask=False)
    # Once the folder the app was started from: here, the test's own.
    assert asked[0].is_absolute() and asked[0].is_dir() and asked[0] != tmp_path
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog(""))
    window.document.export_png()  # cancelled
    assert asked[1] == saved_seven.parent / "digit.png"
