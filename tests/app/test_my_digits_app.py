"""Labelling drawings, the My digits dock, and personalising from the app."""

import os
import re
import shutil
import sys
import threading

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from window_fixtures import ONE, SEVEN, make_window, messages, settle  # noqa: F401

from mnist_canvas.app import my_digits, my_digits_view
from mnist_canvas.app.digit_accuracy import Score
from mnist_canvas.app.my_digits import MyDigitsFeature
from mnist_canvas.app.personalising import free_name
from mnist_canvas.data import DATA_ENV
from mnist_canvas.data.my_digits import MyDigits, default_path, kept, record_of
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.ink.pictures import canvas_picture
from mnist_canvas.models.classifier import resolve_model
from mnist_canvas.models.registry import DEFAULT_MODEL


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """The user's data folder (and so the collection) inside the test's folder."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the data folder is redirected through XDG_DATA_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def feature(data_home, make_window, qtbot):  # noqa: F811
    window = make_window()
    found = window.findChild(MyDigitsFeature)
    found.read_soon()  # as the window's first events do
    qtbot.waitUntil(
        lambda: found.importer.idle() and not found._worker_reading, timeout=30_000
    )
    yield found
    found.accuracy.stop()
    found.importer.stop()
    if found.run is not None:
        found.run.wait_stopped()


def draw(window, points=SEVEN):
    window.canvas.add_stroke(points)


def press(qtbot, window, key):
    """A key press where the user just drew: the canvas, in the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window.canvas, key)


def test_a_digit_key_keeps_the_drawing_and_undo_takes_it_back(feature, qtbot):
    window = feature.window
    draw(window)
    drawn = window.canvas.current_drawing()
    press(qtbot, window, Qt.Key.Key_7)
    assert MyDigits.open(default_path()).labels() == [7]
    assert window.canvas.current_drawing().is_empty
    assert "Kept as a 7" in window.statusBar().currentMessage()
    window.canvas.undo_stack.undo()
    assert window.canvas.current_drawing() == drawn
    # The 7 leaves with the same undo (it once stayed: a wrong key, undone
    # and pressed again, kept the drawing twice, under both labels).
    assert MyDigits.open(default_path()).labels() == []
    assert "taken out" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_1)
    assert MyDigits.open(default_path()).labels() == [1]
    window.canvas.undo_stack.undo()
    window.canvas.undo_stack.redo()  # kept again, the canvas cleared again
    assert MyDigits.open(default_path()).labels() == [1]
    assert window.canvas.current_drawing().is_empty
    feature.dock.show()
    assert rows(feature.view) == 1


def test_undo_of_a_keep_leaves_a_digit_changed_since_and_redo_adds_nothing(
    feature, qtbot
):
    window = feature.window
    draw(window)
    press(qtbot, window, Qt.Key.Key_7)
    feature.collection.relabel([0], 1)  # mended in the dock instead
    window.canvas.undo_stack.undo()
    assert not window.canvas.current_drawing().is_empty  # the drawing is back
    assert MyDigits.open(default_path()).labels() == [1]  # the 1 is left
    assert "no longer in My digits" in window.statusBar().currentMessage()
    window.canvas.undo_stack.redo()  # once kept the 7 again beside the 1
    assert MyDigits.open(default_path()).labels() == [1]


def opened_on(monkeypatch) -> list[str]:
    """Where MyDigits.open is called from now on: "GUI" or "worker", each time."""
    threads, real_open = [], MyDigits.open

    def open_(path=None, stopping=None):
        gui = threading.current_thread() is threading.main_thread()
        threads.append("GUI" if gui else "worker")
        return real_open(path, stopping)

    monkeypatch.setattr(MyDigits, "open", open_)
    return threads


def test_the_collection_is_read_on_the_worker_once_the_window_is_up(
    data_home,
    make_window,  # noqa: F811
    monkeypatch,
    qtbot,
    calls,
):
    """A big collection must slow neither start-up nor the GUI thread: it is
    read on the worker, and the dock draws only the thumbnails in view."""
    count = 400
    collection = MyDigits.open(default_path())
    seven = Drawing(strokes=(Stroke.from_points(SEVEN, 14.0),))
    collection.add_kept([kept(record_of(seven, 7), "test", i) for i in range(count)])
    opened = opened_on(monkeypatch)
    drawn = calls(my_digits_view, "thumbnail_image")
    window = make_window()
    feature = window.findChild(MyDigitsFeature)
    assert opened == [] and rows(feature.view) == 0  # not while made
    qtbot.waitUntil(lambda: opened == ["worker"])  # once the window is up
    qtbot.waitUntil(lambda: not feature._worker_reading, timeout=30_000)
    assert drawn == []  # the dock is hidden: no thumbnails yet
    feature.dock.show()
    qtbot.waitUntil(lambda: rows(feature.view) == count)
    qtbot.waitUntil(lambda: len(drawn) > 0)  # the rows in view, when painted
    assert len(drawn) < count / 2
    feature.dock.hide()
    draw(window, ONE)
    assert feature.label(1)
    assert rows(feature.view) == count  # hidden: brought up to date later
    feature.dock.show()
    assert rows(feature.view) == count + 1 and opened == ["worker"]
    feature.accuracy.stop()
    feature.importer.stop()


def test_a_digit_kept_while_the_worker_waits_to_read_is_kept_once(
    data_home,
    make_window,  # noqa: F811
    monkeypatch,
    qtbot,
):
    opened = opened_on(monkeypatch)
    window = make_window()
    feature = window.findChild(MyDigitsFeature)
    busy = threading.Event()
    feature.importer.submit("busy", busy.wait)  # the worker is busy
    try:
        feature.read_soon()  # so the reading waits behind it
        draw(window)
        assert feature.label(7)  # the GUI thread reads it, as it cannot wait
    finally:
        busy.set()
    qtbot.waitUntil(
        lambda: feature.importer.idle() and not feature._worker_reading,
        timeout=30_000,
    )
    assert opened == ["GUI"]  # the worker found it read
    assert feature.collection.labels() == [7]
    assert MyDigits.open(default_path()).labels() == [7]
    feature.dock.show()
    assert rows(feature.view) == 1
    feature.accuracy.stop()
    feature.importer.stop()


def test_a_digit_key_on_an_empty_canvas_keeps_nothing(feature, qtbot):
    press(qtbot, feature.window, Qt.Key.Key_3)
    assert not default_path().exists()
    assert "Draw a digit first" in feature.window.statusBar().currentMessage()


def test_a_picture_on_the_canvas_is_not_kept(feature, qtbot):
    window = feature.window
    image = np.zeros((28, 28), np.uint8)
    image[6:22, 13:15] = 255  # an MNIST-like 1
    size = (int(window.canvas.drawing.width), int(window.canvas.drawing.height))
    window.canvas.set_picture(canvas_picture(image, size), "Open MNIST image")
    draw(window)  # strokes over the picture
    before = window.canvas.current_drawing()
    press(qtbot, window, Qt.Key.Key_7)
    assert len(feature.collection) == 0
    assert "Pictures can't be kept" in window.statusBar().currentMessage()
    assert window.canvas.picture is not None
    assert window.canvas.current_drawing() == before


def test_typing_a_brush_width_keeps_nothing(feature, qtbot):
    window = feature.window
    draw(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    field = window.brush.lineEdit()
    window.brush.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_2)
    assert window.brush.text().startswith("2")
    assert len(feature.collection) == 0


@pytest.mark.parametrize("where", ["model picker", "class filter", "thumbnails"])
def test_digit_keys_for_other_widgets_keep_nothing(where, feature, qtbot):
    window = feature.window
    feature.dock.show()
    draw(window)
    widget = {"model picker": window.model_picker,
              "class filter": feature.view.show_class,
              "thumbnails": feature.view.digits}[where]  # fmt: skip
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    QTest.keyClick(widget, Qt.Key.Key_3)
    assert len(feature.collection) == 0
    assert not window.canvas.current_drawing().is_empty


def test_a_click_on_a_bar_labels_the_drawing(feature, qtbot):
    window = feature.window
    draw(window, ONE)
    settle(qtbot, window)
    bars = window.probabilities
    top = bars._header_height()
    row = (bars.height() - top) / 10
    y = int(top + row * 4.5)
    assert bars.digit_at(y) == 4
    QTest.mouseClick(bars, Qt.MouseButton.LeftButton, pos=QPointF(60, y).toPoint())
    assert MyDigits.open(default_path()).labels() == [4]
    assert window.canvas.current_drawing().is_empty


def rows(view) -> int:
    return view.model.rowCount()


def select(view, *shown_rows):
    view.digits.clearSelection()
    for row in shown_rows:
        view.digits.selectionModel().select(
            view.model.index(row), QItemSelectionModel.SelectionFlag.Select
        )


def keep(feature, labels):
    for label in labels:
        draw(feature.window, ONE if label == 1 else SEVEN)
        assert feature.label(label)


def test_a_wide_dock_shows_every_score_column_unscrolled(qtbot):
    view = my_digits_view.MyDigitsView()
    qtbot.addWidget(view)
    view.resize(1300, 250)  # the dock of a 1300 px wide window
    view.show()
    names = ["cnn-bn-wide-x2", "mlp", "cnn", "cause-sym-gamma", "mlp-mine"]
    view.show_scores({n: Score(0.9, [0.25] + [1.0] * 9, 40) for n in names})
    table = view.scores
    # The list and the table once split the dock 3:2, whatever the table
    # needed: 9 and the count scrolled out of sight (362 of 472 px shown).
    qtbot.waitUntil(lambda: table.verticalHeader().width() > 0)  # names shown
    qtbot.waitUntil(
        lambda: table.viewport().width() >= table.horizontalHeader().length() > 0
    )
    assert table.horizontalScrollBar().maximum() == 0


def test_the_dock_scores_every_model_per_class(feature, qtbot):
    keep(feature, [1, 7, 7])
    with qtbot.waitSignal(feature.accuracy.scored, timeout=30000) as signal:
        feature.dock.show()
    tag, scores = signal.args
    usable = feature.window.catalogue.usable()
    assert tag == "all" and set(scores) == set(usable)
    default = scores[DEFAULT_MODEL]
    assert default.n == 3 and default.error is None
    assert default.per_class[1] is not None and default.per_class[0] is None
    assert feature.view.scores.rowCount() == len(usable)
    with qtbot.waitSignal(feature.accuracy.scored, timeout=30000) as signal:
        keep(feature, [7])  # kept current while shown
    assert signal.args[1][DEFAULT_MODEL].n == 4


def test_stopping_interrupts_scoring_a_big_collection(feature, qtbot):
    window, accuracy = feature.window, feature.accuracy
    draw(window)
    scored = []
    accuracy.scored.connect(lambda tag, scores: scored.append(scores))
    # Far more than any machine reads in the half second before `stop`: the
    # stop must cut the reading short, not wait for its end.
    drawings = [window.canvas.current_drawing()] * 50_000
    accuracy.submit(drawings, [7] * len(drawings))
    qtbot.wait(500)  # the worker is reading them
    accuracy.stop()
    qtbot.wait(100)
    assert not scored
    with qtbot.waitSignal(accuracy.scored, timeout=30000) as signal:
        accuracy.submit(drawings[:2], [7, 7])  # started again, newest only
    assert signal.args[1][DEFAULT_MODEL].n == 2


def test_a_model_retrained_under_its_name_is_loaded_again(feature, tmp_path):
    path = tmp_path / "mine.safetensors"
    shutil.copyfile(resolve_model("cnn-bn"), path)
    worker = feature.accuracy
    first = worker.models.get("mine", path)
    assert worker.models.get("mine", path) is first
    shutil.copyfile(resolve_model("mlp"), path)
    later = path.stat().st_mtime_ns + 10**9  # as when retrained a moment later
    os.utime(path, ns=(later, later))
    assert worker.models.get("mine", path) is not first


def test_relabel_delete_and_open(feature, monkeypatch):
    feature.dock.show()  # the thumbnails to choose from
    keep(feature, [1, 7, 7])
    view = feature.view
    select(view, 0)  # sorted by class: the 1 first
    feature.relabel(2)
    assert feature.collection.labels() == [2, 7, 7]
    select(view, 2)
    feature.open_selected()
    assert not feature.window.canvas.current_drawing().is_empty
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    view.digits.selectAll()
    feature.delete()
    assert MyDigits.open(default_path()).labels() == []


def test_a_list_shown_before_a_change_never_acts_on_another_digit(feature, monkeypatch):
    # A list that shows the collection as it was must act on the digits
    # selected there: deleting a digit already deleted must not delete the one
    # now at its place.
    feature.dock.show()
    keep(feature, [1, 2, 3])
    view, before = feature.view, feature.collection.digits()
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    select(view, 0)  # sorted by class: the 1 first
    feature.delete()
    view.show_digits(before)  # the list as it was
    for _ in range(2):  # the 1 is still in view: pressed again, then relabelled
        select(view, 0)
        assert view.model.index(0).data() == "1"
        feature.delete()
    select(view, 0)
    feature.relabel(9)
    assert MyDigits.open(default_path()).labels() == [2, 3]
    assert "already changed or deleted" in feature.window.statusBar().currentMessage()


def test_the_list_keeps_its_place_and_opens_the_digit_double_clicked(feature, qtbot):
    feature.dock.show()
    seven = Drawing(strokes=(Stroke.from_points(SEVEN, 14.0),))
    many = [kept(record_of(seven, 7), "t", i) for i in range(300)]
    feature._change(lambda: feature.collection.add_kept(many))
    keep(feature, [1])
    view, bar = feature.view, feature.view.digits.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    where = bar.value()
    keep(feature, [7])  # the list is made again
    qtbot.wait(50)  # and laid out
    assert rows(view) == 302 and bar.value() == where
    first = view.model.index(0)  # the 1, not selected
    select(view, 5)
    view.digits.doubleClicked.emit(first)
    opened = feature.window.canvas.current_drawing()
    assert opened.strokes == feature.collection.digits()[300].drawing.strokes


def test_digits_hidden_by_the_class_filter_are_not_deleted(feature, monkeypatch):
    feature.dock.show()  # the thumbnails to choose from
    keep(feature, [1, 7, 7])
    view = feature.view
    view.digits.selectAll()
    changes = []
    view.digits.selectionModel().selectionChanged.connect(lambda *a: changes.append(a))
    view.show_class.setCurrentIndex(1 + 1)  # only the 1s
    assert len(changes) == 1  # all hidden ones at once (one by one: minutes)
    assert [d.label for d in feature.view.selected()] == [1]
    assert not view.digits.selectionModel().isSelected(view.model.index(1))
    view.digits.selectAll()  # Ctrl+A while filtered
    assert [d.label for d in feature.view.selected()] == [1]
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    feature.delete()
    assert MyDigits.open(default_path()).labels() == [7, 7]
    keep(feature, [1])  # a new list, still filtered: only the 1 in view
    assert [view.digits.isRowHidden(r) for r in range(3)] == [False, True, True]
    view.show_class.setCurrentIndex(0)  # all again
    assert [view.digits.isRowHidden(r) for r in range(3)] == [False, False, False]


def test_import_and_export(feature, tmp_path, qtbot, monkeypatch):
    keep(feature, [1, 7])
    feature.export(str(tmp_path / "shared.jsonl"))
    assert "Exported 2 digits" in feature.window.statusBar().currentMessage()
    imported = lambda kind, *_: kind.startswith("import:")  # noqa: E731
    with qtbot.waitSignal(feature.importer.done, timeout=30000,
                          check_params_cb=imported):  # fmt: skip
        feature.import_file(str(tmp_path / "shared.jsonl"))  # read on a worker
        keep(feature, [3])  # meanwhile: kept too
    labels = feature.collection.labels()
    assert sorted(labels) == [1, 1, 3, 7, 7] and labels[:2] == [1, 7]
    assert MyDigits.open(default_path()).labels() == labels
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    (tmp_path / "bad.jsonl").write_text("not json\n")
    with qtbot.waitSignal(feature.importer.failed, timeout=30000):
        feature.import_file(str(tmp_path / "bad.jsonl"))
    assert feature.collection.labels() == labels
    assert len(warnings) == 1 and "Nothing was imported from" in warnings[0]
    assert "bad.jsonl" in warnings[0]


def test_a_damaged_collection_is_named_and_kept(
    data_home,
    make_window,  # noqa: F811
    messages,  # noqa: F811
    qtbot,
):
    path = default_path()
    path.parent.mkdir(parents=True)
    path.write_text("{broken\n")
    window = make_window()
    draw(window)
    press(qtbot, window, Qt.Key.Key_1)
    assert path.read_text() == "{broken\n"
    assert any("cannot be read" in text for _, _, text in messages)
    assert not window.canvas.current_drawing().is_empty  # the drawing stays
    feature = window.findChild(MyDigitsFeature)
    feature.dock.show()
    qtbot.waitUntil(lambda: "cannot be read" in feature.view.count.text())
    # Once "No digits yet": as if the collection were lost.
    assert str(path) in feature.view.count.text()


def test_the_svm_is_not_called_imported(feature, messages):  # noqa: F811
    feature.window.model_picker.choose("svm")
    assert feature.window.active_model() == "svm"
    feature.personalise()
    assert any(
        "svm: an ONNX model (the SVM, or one you imported) has no weights" in text
        for _, _, text in messages
    )
    assert not feature.run.is_running()


def test_new_model_names_never_replace_a_file(tmp_path):
    assert free_name(tmp_path, "cnn-bn-mine").name == "cnn-bn-mine.safetensors"
    (tmp_path / "cnn-bn-mine.safetensors").touch()
    assert free_name(tmp_path, "cnn-bn-mine").name == "cnn-bn-mine-2.safetensors"


def test_personalise_adds_a_model_and_measures_it_on_held_back_digits(
    feature, qtbot, monkeypatch
):
    monkeypatch.delenv(DATA_ENV, raising=False)  # quick: no MNIST to replay
    keep(feature, [1] * 6 + [7] * 6)
    window = feature.window
    feature.personalise()
    assert feature.run.is_running()
    assert "held back" in feature.view.result.text()
    # The menu item cancels now, and says so (once it kept its old words).
    assert feature.personalise_action.text() == "Cancel &Personalising"
    qtbot.waitUntil(lambda: not feature.run.is_running(), timeout=400000)
    qtbot.waitUntil(lambda: feature.pending is None, timeout=60000)
    assert feature.personalise_action.text().startswith("&Personalise the Model")
    # The copy it learned from is gone; the collection stays.
    assert list(default_path().parent.glob("my-digits-to-learn*")) == []
    assert default_path().is_file()
    mine = f"{DEFAULT_MODEL}-mine"
    assert window.active_model() == mine
    assert window.catalogue.get(mine).metadata["parent"]["name"] == DEFAULT_MODEL
    text = feature.view.result.text()
    # Counts, not percents of two digits, and a word that two tell little.
    assert re.search(r"Of the 2 held back, read right: [0-2] → [0-2] \(too few", text)
    parent = window.catalogue.get(DEFAULT_MODEL).metadata["metrics"]
    assert f"MNIST test: {parent['mnist_test_accuracy']:.2%} → not measured" in text


class _Running:
    """Stands for a personalising process that has not finished."""

    def __init__(self):
        self.stopped = False

    def is_running(self):
        return not self.stopped

    def wait_stopped(self):
        self.stopped = True


def test_closing_while_personalising_asks_then_stops_it(feature, monkeypatch):
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    feature.run = run = _Running()
    assert feature in feature.window.views
    feature.window.canvas.undo_stack.setClean()
    assert feature.window.close()
    assert "personalised on your digits" in asked[0] and run.stopped


def test_closing_mid_import_asks_and_no_keeps_the_import(
    feature, monkeypatch, qtbot, tmp_path
):
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    reading = threading.Event()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(
        my_digits, "read_digits", lambda path, stopping: reading.wait(30) and []
    )
    feature.window.canvas.undo_stack.setClean()
    feature.import_file(str(tmp_path / "pen.jsonl"))
    assert not feature.window.close()  # asked, and the answer was no
    assert "imported from pen.jsonl" in asked[0]
    reading.set()
    qtbot.waitUntil(lambda: feature.busy() is None)  # read: nothing to ask
    assert feature.window.close() and len(asked) == 1


def test_the_same_file_imported_twice_is_busy_until_both_reads_end(
    feature, monkeypatch, qtbot, tmp_path
):
    gates = [threading.Event(), threading.Event()]
    calls = []

    def read(path, stopping):
        gate = gates[len(calls)]
        calls.append(path)
        gate.wait(30)
        return []

    monkeypatch.setattr(my_digits, "read_digits", read)
    path = str(tmp_path / "pen.jsonl")
    feature.import_file(path)
    qtbot.waitUntil(lambda: len(calls) == 1)  # the first read has begun
    feature.import_file(path)  # again, while the first is read
    gates[0].set()
    qtbot.waitUntil(lambda: len(calls) == 2)  # the first ended, the second runs
    assert feature.busy() is not None  # once cleared by the first one's end
    gates[1].set()
    qtbot.waitUntil(lambda: feature.busy() is None)


def test_keys_reach_the_canvas_after_a_click_in_the_dock_or_a_stroke(feature, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    window, canvas = feature.window, feature.window.canvas
    feature.dock.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    def type_digit(key):
        QTest.keyClick(QApplication.focusWidget() or window, key)

    # A click on the dock's words (nothing there takes keys) leaves them to the canvas.
    QTest.mouseClick(feature.view.count, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    draw(window)
    type_digit(Qt.Key.Key_7)
    assert len(feature.collection) == 1
    # The thumbnails take the keys; drawing a stroke gives them back to the canvas.
    feature.view.digits.setFocus()
    qtbot.waitUntil(feature.view.digits.hasFocus)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(150, 50))
    for y in range(60, 240, 20):
        qtbot.mouseMove(canvas, QPoint(148, y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(147, 235))
    type_digit(Qt.Key.Key_1)
    assert feature.collection.labels() == [7, 1]


def keep_apart(feature, labels):
    """Digits each drawn a little apart (so no two have the same ink)."""
    for i, label in enumerate(labels):
        points = [(x + 3 * i, y + 2 * i) for x, y in (ONE if label == 1 else SEVEN)]
        draw(feature.window, points)
        assert feature.label(label)


def test_a_personalised_model_is_scored_without_the_digits_it_learned_from(
    feature, qtbot
):
    from mnist_canvas.data.strokes import fingerprint
    from mnist_canvas.files import user_models_dir
    from mnist_canvas.models.checkpoint_file import load_checkpoint, save_checkpoint

    feature.dock.show()
    keep_apart(feature, [1, 7, 7, 1, 7])
    digits = feature.collection.digits()
    model, metadata = load_checkpoint(resolve_model("cnn-bn"))
    path = user_models_dir() / "cnn-bn-mine.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    learned = [fingerprint(d) for d in digits[:3]]
    save_checkpoint(path, model, {**metadata, "learned_from": learned})
    with qtbot.waitSignal(feature.accuracy.scored, timeout=30000) as signal:
        feature.window.add_model(str(path))
        feature._changed()  # as any change to the collection does
    scores = signal.args[1]
    assert scores["cnn-bn-mine"].n == 2 and scores["cnn-bn-mine"].learned == 3
    assert scores["cnn-bn"].n == 5 and scores["cnn-bn"].learned == 0
    note = feature.view.scores_note.text()
    assert "cnn-bn-mine: measured on the 2 digits it did not learn from" in note
    assert "(3 it learned from are left out)" in note
    assert "cnn-bn:" not in note and feature.view.scores_note.isVisibleTo(feature.view)


def test_the_personalise_button_names_its_model_and_needs_ten_digits(feature):
    feature.dock.show()
    button = feature.view.personalise_button
    keep(feature, [7] * 3)
    assert button.text() == f"Personalise {DEFAULT_MODEL}…"
    assert not button.isEnabled()
    assert "at least 10 of your digits; you have 3" in button.toolTip()
    keep(feature, [1] * 7)
    assert button.isEnabled() and f"{DEFAULT_MODEL}-mine" in button.toolTip()
    feature.window.model_picker.choose("svm")
    assert button.text() == "Personalise svm…" and not button.isEnabled()
    assert "no weights to fine-tune" in button.toolTip()
    feature.window.model_picker.choose("cnn-bn")
    assert button.text() == "Personalise cnn-bn…" and button.isEnabled()
