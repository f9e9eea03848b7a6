"""The app, driven through its widgets' public methods (plus one real drag)."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import time
from itertools import pairwise

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox
from window_fixtures import (  # noqa: F401
    ONE,
    SEVEN,
    copy_with_metadata,
    make_window,
    messages,
    settle,
    weights_copy,
    window,
)

from mnist_canvas.app.pipeline_strip import REPAINT_MS
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.pipeline.preprocess import DETAIL
from mnist_canvas.pipeline.steps import MNIST_MEAN, MNIST_STD, center_of_mass


def test_models_are_offered_default_first(window):
    names = window.model_picker.names()
    assert names[0] == DEFAULT_MODEL and set(names[:6]) == {
        "cnn-bn",
        "cnn-bn-wide",
        "cnn-bn-wide-x2",
        "mlp",
        "cnn",
        "cnn-dropout",
    }
    assert names[6] == "svm"  # ours, then the cause models, under headings
    assert all(name.startswith("cause-") for name in names[7:])
    picker = window.model_picker
    headings = [picker.itemText(i) for i in range(picker.count())
                if not picker.model().item(i).isEnabled()]  # fmt: skip
    assert headings[0].startswith("Ours") and headings[1].startswith("Cause")
    bold = picker.itemData(picker.findText(DEFAULT_MODEL), Qt.ItemDataRole.FontRole)
    assert bold.bold() and "default" in picker.itemData(
        0 + 1, Qt.ItemDataRole.ToolTipRole
    )


def test_last_serial_names_the_newest_request(qtbot, window):
    window.canvas.begin_stroke(100, 100)
    first = window.last_serial
    window.canvas.extend_stroke(120, 150)
    assert window.last_serial == first + 1
    window.canvas.end_stroke()


def test_empty_canvas_shows_no_prediction(qtbot, window):
    settle(qtbot, window)
    assert window.probabilities.probabilities is None
    assert window.probabilities.message == "Draw a digit"
    assert window.eye.pixels is None


def test_drawing_updates_the_bars(qtbot, window):
    window.canvas.add_stroke(ONE)
    settle(qtbot, window)
    p = window.probabilities.probabilities
    assert p is not None and p.sum() == pytest.approx(1, abs=1e-5)
    assert window.probabilities.digit == 1
    assert window.eye.pixels.shape == (28, 28)


def test_predictions_update_while_the_stroke_is_drawn(qtbot, window):
    window.canvas.begin_stroke(150, 50)
    for y in range(60, 231, 10):
        window.canvas.extend_stroke(150 - y / 40, y)
    qtbot.waitUntil(lambda: window.probabilities.digit == 1, timeout=60_000)
    assert window.canvas.drawing.is_empty  # not released yet: still in progress
    window.canvas.end_stroke()
    assert len(window.canvas.drawing.strokes) == 1


def test_real_mouse_drag_draws_and_predicts(qtbot, window):
    canvas = window.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(150, 50))
    for y in range(60, 240, 12):
        qtbot.mouseMove(canvas, QPoint(148, y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(147, 235))
    assert len(canvas.drawing.strokes) == 1
    assert len(canvas.drawing.strokes[0].points) > 5
    settle(qtbot, window)
    assert window.probabilities.digit == 1


def eye_after(qtbot, window, **off):
    switches = {**window.strip.switches(), **off}
    window.strip.set_switches(switches)
    settle(qtbot, window)
    return window.eye.pixels


def caption_size(caption) -> tuple[int, int]:
    """A stage caption's "W×H …" size; (0, 0) while it shows none."""
    size = caption.text().split(" ")[0].split("×")
    return (int(size[0]), int(size[1])) if len(size) == 2 else (0, 0)


def test_each_switch_changes_the_input_as_named(qtbot, window):
    window.canvas.add_stroke(SEVEN)
    normal = eye_after(qtbot, window)
    assert normal.min() == pytest.approx(-MNIST_MEAN / MNIST_STD, abs=1e-4)
    raw = eye_after(qtbot, window, scale=False)
    assert raw.max() > 100
    eye_after(qtbot, window, scale=True)
    unnormalised = eye_after(qtbot, window, normalize=False)
    assert unnormalised.min() == 0 and unnormalised.max() <= 1
    inverted_off = eye_after(qtbot, window, invert=False)
    assert inverted_off[0, 0] == pytest.approx(1.0)
    eye_after(qtbot, window, invert=True)
    off_centre = eye_after(qtbot, window, center=False)
    centred = eye_after(qtbot, window, center=True)
    assert abs(center_of_mass(centred, 0)[1] - 13.5) <= 0.5
    assert abs(center_of_mass(off_centre, 0)[1] - 13.5) > 0.5
    uncropped = eye_after(qtbot, window, crop=False)
    assert (uncropped > 0.1).sum() < (centred > 0.1).sum()
    eye_after(qtbot, window, crop=True)
    aliased = eye_after(qtbot, window, antialias=False)
    assert not np.array_equal(aliased, centred)
    eye_after(qtbot, window, antialias=True)
    unfitted = eye_after(qtbot, window, fit=False)
    # Unscaled, only the middle 28×28 px of the 190 px tall seven is visible.
    assert not np.allclose(unfitted, centred)
    caption = window.strip.tiles["fit"].caption
    # 1xx px wide once unfitted (fitted, it said 15×20: wait for the new one).
    qtbot.waitUntil(lambda: caption_size(caption)[0] >= 100)


def test_switching_a_step_leaves_the_tiles_where_they_are(qtbot, window):
    window.canvas.add_stroke(SEVEN)
    tiles = window.strip.tiles
    fit = tiles["fit"].caption
    qtbot.waitUntil(lambda: 0 < caption_size(fit)[0] < 28)  # fitted: 1x×20
    settle(qtbot, window)
    qtbot.wait(3 * REPAINT_MS)  # the strip shows the stages it was sent
    where = {name: tile.geometry() for name, tile in tiles.items()}
    captions = {name: tile.caption.text() for name, tile in tiles.items()}
    eye_after(qtbot, window, fit=False)  # 1x×20 → 1xx×2xx from Fit on
    qtbot.waitUntil(lambda: caption_size(fit)[0] >= 100)
    qtbot.wait(3 * REPAINT_MS)
    assert {n: t.caption.text() for n, t in tiles.items()} != captions
    # Wider captions once pushed every tile to their right sideways, and the
    # switch under the pointer with them.
    assert {name: tile.geometry() for name, tile in tiles.items()} == where


def test_undo_redo_clear(qtbot, window):
    canvas = window.canvas
    canvas.add_stroke(ONE)
    canvas.add_stroke(SEVEN)
    window.menu_actions.undo.trigger()
    assert len(canvas.drawing.strokes) == 1
    window.menu_actions.redo.trigger()
    assert len(canvas.drawing.strokes) == 2
    window.menu_actions.clear.trigger()
    assert canvas.drawing.is_empty
    settle(qtbot, window)
    assert window.probabilities.probabilities is None
    window.menu_actions.undo.trigger()
    assert len(canvas.drawing.strokes) == 2


def test_strip_shows_the_newest_stages_after_a_burst(qtbot, window):
    window.canvas.begin_stroke(150, 40)
    for y in range(50, 250, 5):
        window.canvas.extend_stroke(150, y)
    window.canvas.end_stroke()
    settle(qtbot, window)
    caption = window.strip.tiles["crop"].caption

    def newest_crop() -> bool:
        width, height = caption_size(caption)
        return 70 <= height <= DETAIL * 20 + 2 and width < height / 3

    # The finished stroke is rendered DETAIL × 20 px tall, and thin: the crop
    # says so once the newest drawing's stages are shown (the strip may show
    # a stage of the burst's first moves for a moment, never for good).
    qtbot.waitUntil(newest_crop, timeout=10_000)


def test_while_drawing_the_stages_ride_on_a_pointer_moves_request(qtbot, window):
    sent = []  # (time, stages) of each request
    submit = window.predictor.submit

    def record(source, steps, models, stages=True):
        sent.append((time.monotonic(), stages))
        return submit(source, steps, models, stages)

    window.predictor.submit = record
    window.canvas.begin_stroke(150, 40)
    for y in range(42, 242, 2):  # 100 moves over at least 0.4 s
        time.sleep(0.004)
        window.canvas.extend_stroke(150, y)
    assert len(sent) == 101  # one request per pointer event, none of its own
    carried = [t for t, stages in sent if stages]
    assert len(carried) >= 1 + 0.4 * 1000 // REPAINT_MS // 2
    assert all(b - a >= REPAINT_MS / 1000 for a, b in pairwise(carried))
    window.canvas.end_stroke()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: sent[-1][1])  # at rest, the last drawing's stages


def test_eraser_removes_the_touched_stroke_undoably(window):
    canvas = window.canvas
    canvas.add_stroke(ONE)
    canvas.add_stroke([(20, 260), (60, 260)])
    canvas.erase_at(146, 120)
    assert [len(s.points) for s in canvas.drawing.strokes] == [2]
    window.menu_actions.undo.trigger()
    assert len(canvas.drawing.strokes) == 2


def test_model_switch_and_compare_view(qtbot, window):
    window.canvas.add_stroke(SEVEN)
    settle(qtbot, window)
    default = window.probabilities.probabilities.copy()
    window.model_picker.setCurrentText("mlp")
    assert window.active_model() == "mlp"
    settle(qtbot, window)
    assert not np.allclose(window.probabilities.probabilities, default)
    assert "mlp" in window.model_summary()
    window.menu_actions.compare.trigger()
    settle(qtbot, window)
    names = [row[0] for row in window.compare.rows]
    assert sorted(names) == sorted(window.catalogue.usable())
    assert all(row[1] is not None for row in window.compare.rows)


def test_save_and_open_round_trip(qtbot, window, tmp_path):
    window.canvas.add_stroke(SEVEN)
    assert window.document.has_unsaved_work()
    assert window.document.save_as(str(tmp_path / "seven.json"))
    assert not window.document.has_unsaved_work()
    saved = window.canvas.drawing
    window.document.new()
    assert window.canvas.drawing.is_empty
    assert window.document.open(str(tmp_path / "seven.json"))
    assert window.canvas.drawing == saved


def test_png_export_reopens_as_a_picture_with_the_same_reading(qtbot, window, tmp_path):
    window.canvas.add_stroke(SEVEN)
    settle(qtbot, window)
    digit = window.probabilities.digit
    assert window.document.export_png(str(tmp_path / "seven.png"))
    assert window.export_input(str(tmp_path / "input.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "input.npy"), window.eye.pixels)
    window.canvas.clear()
    assert window.document.open(str(tmp_path / "seven.png"))
    assert window.canvas.picture is not None
    settle(qtbot, window)
    assert window.probabilities.digit == digit


@pytest.mark.parametrize("content", [b"{not json", b"\x89PNG broken", b""])
def test_bad_file_gives_a_message_and_keeps_the_drawing(
    window, tmp_path, messages, content
):
    window.canvas.add_stroke(ONE)
    before = window.canvas.drawing
    for name in ("bad.json", "bad.png"):
        (tmp_path / name).write_bytes(content)
        assert not window.document.open(str(tmp_path / name))
        assert window.canvas.drawing == before
    assert [m[0] for m in messages] == ["warning", "warning"]


def test_settings_persist(qtbot, make_window):
    first = make_window()
    first.brush.setValue(31)
    first.strip.set_switches({**first.strip.switches(), "center": False})
    first.model_picker.setCurrentText("mlp")
    first.close()
    second = make_window()
    assert second.brush.value() == 31 and second.canvas.brush == 31
    assert second.strip.switches()["center"] is False
    assert second.active_model() == "mlp"


def test_closing_with_unsaved_drawing_asks_first(qtbot, window, monkeypatch):
    window.canvas.add_stroke(ONE)
    asked = []

    def cancel(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(cancel))
    assert not window.close()
    assert window.isVisible() and asked
    assert len(window.canvas.drawing.strokes) == 1


def test_corrupt_weights_file_is_reported_and_others_offered(
    qtbot, weights_copy, make_window, messages
):
    (weights_copy / f"{DEFAULT_MODEL}.safetensors").write_bytes(b"\x80\x04 a pickle")
    path = weights_copy / "cnn.safetensors"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    window = make_window()
    assert "pickle" in window.catalogue.unusable()[DEFAULT_MODEL]
    assert "cnn.safetensors" in window.catalogue.unusable()["cnn"]
    qtbot.waitUntil(lambda: len(messages) == 1)
    assert f"{DEFAULT_MODEL}.safetensors" in messages[0][2] and "mlp" in messages[0][2]
    assert window.model_picker.findText(DEFAULT_MODEL) < 0
    assert window.active_model() is not None
    window.canvas.add_stroke(ONE)
    settle(qtbot, window)
    assert window.probabilities.probabilities is not None


def test_weights_that_fail_on_loading_are_dropped_with_a_message(
    qtbot, weights_copy, make_window, messages
):
    """Header fine, weights not: found only when the worker loads the model."""
    copy_with_metadata(
        weights_copy / "cnn.safetensors",
        weights_copy / "mlp.safetensors",
        lambda meta: meta["model"].update(arch="mlp"),
    )
    window = make_window()
    assert window.model_picker.findText("mlp") >= 0
    window.model_picker.setCurrentText("mlp")
    window.canvas.add_stroke(ONE)
    qtbot.waitUntil(lambda: "mlp" in window.catalogue.unusable(), timeout=60_000)
    assert any("do not fit the mlp" in text for _, _, text in messages)
    assert window.model_picker.findText("mlp") < 0
    settle(qtbot, window)
    assert window.probabilities.probabilities is not None  # another model took over


def test_strip_tells_of_switches_only_when_they_change(qtbot, window):
    told = []
    window.strip.switchesChanged.connect(told.append)
    window.strip.set_switches(window.strip.switches())
    assert told == []
    window.strip.set_switches({**window.strip.switches(), "crop": False})
    assert len(told) == 1 and told[0]["crop"] is False
    window.strip.set_switches({**window.strip.switches(), "crop": True})
    assert len(told) == 2


def test_bars_follow_a_resize_and_show_each_value(qtbot):
    from mnist_canvas.app.probabilities import ProbabilityView

    view = ProbabilityView()
    qtbot.addWidget(view)
    p = np.full(10, 0.008, dtype=np.float32)
    p[4] = 0.928  # sure: green (0.82 is amber, see test_steps_note)
    view.show_probabilities(p, 1)
    for width in (300, 420):  # the labels and tracks are kept between paints
        view.resize(width, 420)
        image = view.grab().toImage()
        header = view._header_height()
        row = (420 - header) / 10
        track_end = width - 56 - 8  # label 22 px + track, then the value
        y = int(header + 9.5 * row)
        inside = image.pixelColor(track_end - 4, y).lightness()
        outside = image.pixelColor(track_end + 2, y).lightness()
        assert inside < outside  # the empty track is drawn to its new end
        y4 = int(header + 4.5 * row)
        bar = image.pixelColor(int(22 + 0.9 * (track_end - 22)), y4)
        assert bar.green() > bar.red() + 40  # the top digit's long green bar


def test_a_dock_scrolls_rather_than_push_the_window_off_a_small_screen(qtbot, window):
    from PySide6.QtWidgets import QDockWidget

    settle(qtbot, window)
    bare = window.minimumSizeHint().height()
    docks = {dock.objectName(): dock for dock in window.findChildren(QDockWidget)}
    assert {"compare", "why", "my-digits"} <= set(docks)
    for name, dock in docks.items():
        dock.show()
        qtbot.waitUntil(lambda dock=dock: dock.widget() is not None)
        settle(qtbot, window)
        # Each of them once added 270-510 px: buttons out of reach below the screen.
        assert window.minimumSizeHint().height() - bare < 100, name
        # Never squeezed below its own minimum, once the scroll area has
        # answered the minimum's latest change (Compare grows a row per model
        # when its results arrive, which may be after the prediction shown).
        inner = dock.widget().widget()
        qtbot.waitUntil(
            lambda inner=inner: inner.height() >= inner.minimumSizeHint().height()
        )
        dock.hide()


def test_a_dock_with_room_for_its_widget_shows_it_whole_without_scrolling(
    qtbot, window
):
    from PySide6.QtWidgets import QDockWidget

    window.resize(1500, 1190)
    settle(qtbot, window)
    for name in ("why", "my-digits"):
        dock = window.findChild(QDockWidget, name)
        dock.show()
        qtbot.waitUntil(lambda dock=dock: dock.widget() is not None)
        area = dock.widget()
        need = area.widget().minimumSizeHint().height()
        # Room enough, once the dock's layout has settled.
        qtbot.waitUntil(lambda area=area, need=need: area.viewport().height() >= need)
        # Word-wrapped labels once made the Why panel ask its preferred height
        # (693 px in a 630 px dock here), so it scrolled though it fitted.
        qtbot.waitUntil(lambda area=area: area.verticalScrollBar().maximum() == 0)
        dock.hide()


def test_a_dock_opened_beside_another_opens_as_a_tab_in_front(qtbot, window):
    from PySide6.QtWidgets import QDockWidget

    window.resize(1390, 890)
    compare = window.findChild(QDockWidget, "compare")
    why = window.findChild(QDockWidget, "why")
    compare.toggleViewAction().trigger()
    qtbot.waitUntil(compare.isVisible)
    why.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: why.widget() is not None and why.isVisible())
    # Side by side, Why got a sliver 60 px wide beside Compare.
    assert compare in window.tabifiedDockWidgets(why)
    qtbot.waitUntil(lambda: not why.visibleRegion().isEmpty())
    assert not compare.isHidden() and compare.visibleRegion().isEmpty()  # behind
    # Behind Why's tab, Compare reads nothing: every model for every pointer
    # move, for nobody to see (isVisible() is true there too).
    rows = window.compare.rows
    window.canvas.add_stroke(ONE)
    settle(qtbot, window)
    assert window.compare.rows is rows
    compare.toggleViewAction().trigger()  # hidden, then shown: in front again
    compare.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: not compare.visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: window.compare.rows is not rows)  # and reads again
