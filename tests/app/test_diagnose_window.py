"""Diagnose ▸ Diagnose This Model…: the report fills in off the GUI thread,
can be cancelled, opens an example digit on the canvas and exports HTML."""

from functools import partial

import pytest
from window_fixtures import make_window, messages, weights_copy  # noqa: F401

from mnist_canvas.app.actions import menu
from mnist_canvas.diagnosis.battery import Diagnosis


@pytest.fixture
def window(make_window, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    return make_window()


def _open(qtbot, window, mnist_dir, pen_digits):
    action = next(a for a in menu(window, "&Diagnose").actions()
                  if a.text() == "Diagnose This &Model…")  # fmt: skip
    action.trigger()
    view = window.diagnose.view
    qtbot.addWidget(view)
    view.make = partial(Diagnosis, mnist=mnist_dir, strokes=pen_digits,
                        clean=300, small=200, pen=100)  # fmt: skip
    return view


def test_the_report_fills_in_and_a_digit_opens_on_the_canvas(
    qtbot, window, mnist_dir, pen_digits, tmp_path
):
    view = _open(qtbot, window, mnist_dir, pen_digits)
    steps = []
    view.run.step.connect(steps.append)
    view.start("mlp")
    assert view.run.running and not view.start_button.isEnabled()
    qtbot.waitUntil(lambda: not view.run.running, timeout=120000)
    assert len(steps) >= 10  # shown one at a time, as each check ended
    ranked = view.report.ranked()
    assert ranked and ranked[0].cause in ("mlp", "shift-sensitivity")
    assert ranked[0].cause in view.view.toPlainText()
    assert view.export_button.isEnabled()
    n = next(i for i, f in enumerate(ranked) if f.pictures)
    before = window.canvas.source()
    view.open_digit(n, 0)
    assert window.canvas.source() is not before
    assert window.model_picker.current() == "mlp"
    out = tmp_path / "report.html"
    assert view.export(str(out))
    assert "data:image/png;base64," in out.read_text(encoding="utf-8")


def test_a_diagnosis_can_be_cancelled(qtbot, window, mnist_dir, pen_digits):
    view = _open(qtbot, window, mnist_dir, pen_digits)
    ended = []
    view.run.finished.connect(lambda report, cancelled: ended.append(cancelled))
    view.start("mlp")
    view.cancel()
    qtbot.waitUntil(lambda: bool(ended), timeout=60000)
    assert ended == [True]
    assert len(view.report.checks) < 10
    assert "Cancelled" in view.status.text()
