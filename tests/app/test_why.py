"""The Why view: attribution, nearest training digits and probes in the window."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import numpy as np
import window_fixtures as wf
from onnx_models import imported_model
from window_fixtures import make_window, messages, weights_copy, window  # noqa: F401

from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.convention import Convention
from mnist_canvas.models.engine import ModelError

WAIT = 20000


def _show(window, qtbot, stroke):
    window.why.dock.show()
    window.canvas.add_stroke(stroke)
    wf.settle(qtbot, window)
    return window.why.panel


def test_attribution_follows_the_drawing_and_the_switch(window, qtbot):
    panel = _show(window, qtbot, wf.SEVEN)
    view = panel.attribution
    assert not view.title.text().startswith("Draw a digit")  # one is drawn
    qtbot.waitUntil(lambda: view.map is not None, timeout=WAIT)
    assert view.title.text().startswith("Evidence for 7")
    assert view.map.shape == (28, 28) and np.abs(view.map).max() > 0
    view.contrast.setChecked(True)
    qtbot.waitUntil(lambda: "against" in view.title.text(), timeout=WAIT)


def test_probes_answer_sweep_and_apply_undoably(window, qtbot):
    panel = _show(window, qtbot, wf.ONE)
    probes = panel.probes
    qtbot.waitUntil(lambda: probes.curves[1].getData()[0] is not None, timeout=WAIT)
    assert len(probes.curves[1].getData()[0]) == 21
    assert probes.probes().neutral  # every slider rests on its neutral value
    before = window.canvas.drawing
    probes.sliders["rotation"].setValue(0)  # -45°
    qtbot.waitUntil(lambda: "Probed" in probes.answer.text(), timeout=WAIT)
    assert probes.probes().rotation == -45
    # The probed drawing, as the model read it, beside its answer.
    qtbot.waitUntil(lambda: probes.probed.pixmap().width() > 0, timeout=WAIT)
    assert probes.probed.pixmap().width() == 56
    assert window.canvas.drawing == before  # a probe never changes the drawing
    probes.applyClicked.emit()
    assert window.canvas.drawing != before
    assert probes.probes().rotation == 0  # the sliders start again
    if probes.swept == "rotation":  # and so does the sweep's marker
        assert probes.marker.value() == 0
    window.canvas.undo_stack.undo()
    assert window.canvas.drawing == before


def test_neighbours_strip_opens_a_training_digit(
    window, qtbot, mnist_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no index cached yet
    window.settings.set_mnist_dir(str(mnist_dir))
    panel = _show(window, qtbot, wf.SEVEN)
    strip = panel.neighbours
    qtbot.waitUntil(lambda: len(strip.indices) == 8, timeout=120000)
    assert "7" in strip.title.text()
    # The first answer comes from the first training digits read, and says so.
    assert "of 60,000 read so far (more coming)" in strip.title.text()
    assert not strip.progress.isHidden()
    assert not window.why.indexes[window.why.model].complete
    strip.buttons[0].click()
    assert window.canvas.picture is not None and window.canvas.picture.shape == (
        280,
        280,
    )
    wf.settle(qtbot, window)
    assert window.probabilities.probabilities is not None


def test_an_imported_model_is_explained(make_window, weights_copy, tmp_path, qtbot):
    from mnist_canvas.app import main_window

    user = main_window.user_models_dir()
    imported_model(user, Convention("nhwc", "0-255", "black-on-white"))
    window = make_window()
    name = next(n for n in window.catalogue.usable() if n.startswith("mlp-nhwc"))
    window.model_picker.choose(name)
    panel = _show(window, qtbot, wf.ONE)
    qtbot.waitUntil(lambda: panel.attribution.map is not None, timeout=WAIT)
    assert panel.attribution.title.text().startswith("Evidence for 1")


def no_batches(path):
    """A model that reads one digit at a time and fails on any batch."""
    classifier = Classifier.load(path)
    one_at_a_time = classifier.probabilities

    def probabilities(inputs):
        if len(inputs) > 1:
            raise ModelError("running it failed (a batch of more than one)")
        return one_at_a_time(inputs)

    classifier.probabilities = probabilities
    return classifier


def test_a_model_failing_while_explained_leaves_the_rest(make_window, qtbot):
    window = make_window(loader=no_batches)
    panel = _show(window, qtbot, wf.SEVEN)
    view = panel.attribution
    qtbot.waitUntil(
        lambda: "failed while being explained" in view.title.text(), timeout=WAIT
    )
    assert "a batch of more than one" in view.title.text()
    assert window.probabilities.probabilities.argmax() == 7  # the bars carry on
    qtbot.waitUntil(lambda: "Probed" in panel.probes.answer.text(), timeout=WAIT)


def test_a_model_retrained_under_its_name_is_loaded_again(weights_copy, make_window):
    import os
    import shutil

    window = make_window()
    why = window.why.build()
    window.canvas.add_stroke(wf.SEVEN)
    path = weights_copy / "mlp.safetensors"
    first = why._classifier("mlp")
    assert why._classifier("mlp") is first  # kept while the file is the same
    why.indexes["mlp"] = object()  # an index of the old model's features
    shutil.copyfile(weights_copy / "cause-few-epochs.safetensors", path)
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 10**9))
    second = why._classifier("mlp")
    assert second is not first and "mlp" not in why.indexes
    assert second.predict(window.canvas.source()).probabilities.shape == (10,)


def test_closing_the_window_stops_the_views_threads(window, qtbot):
    _show(window, qtbot, wf.SEVEN)
    why = window.why.built
    why.jobs.start()  # each thread starts with its first job, or here
    why.builder.start()
    assert why.jobs._thread.isRunning() and why.builder._thread.isRunning()
    window.canvas.undo_stack.setClean()
    assert window.close()
    assert not why.jobs._thread.isRunning() and not why.builder._thread.isRunning()


def test_the_wheel_over_the_sweep_plot_is_left_to_the_dock(qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from mnist_canvas.app.layout import Scrolled
    from mnist_canvas.app.probe_panel import ProbePanel

    panel = ProbePanel()
    area = Scrolled(panel)
    qtbot.addWidget(area)
    area.resize(500, 200)  # a small dock: it scrolls
    area.show()
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    box = panel.plot.getViewBox()
    shown = box.viewRange()
    view = panel.plot.viewport()
    # Over the curves, then over the probability axis: it once zoomed the
    # plot away and kept the event (the axis kept it even with the mouse
    # off), so the dock never scrolled; left unaccepted, Qt hands a real
    # wheel to the dock.
    middle = view.height() / 2
    for at in (QPointF(view.width() / 2, middle), QPointF(8, middle)):
        wheel = QWheelEvent(
            at, view.mapToGlobal(at), QPoint(), QPoint(0, -120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(view, wheel)
        assert box.viewRange() == shown and not wheel.isAccepted(), at


def test_the_size_probe_reads_in_whole_percents(qtbot):
    from mnist_canvas.app.probe_panel import ProbePanel

    panel = ProbePanel()
    qtbot.addWidget(panel)
    panel.sliders["size"].setValue(panel.sliders["size"].maximum())
    assert panel.values["size"].text() == "100 % of the canvas"  # once "1e+02 %"
    panel.sliders["size"].setValue(panel.sliders["size"].minimum())
    assert panel.values["size"].text() == "10 % of the canvas"
