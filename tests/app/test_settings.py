"""Settings files the user (or a damaged disk) wrote: the app still starts."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QDockWidget
from window_fixtures import make_window, messages  # noqa: F401

from mnist_canvas.app.settings import BRUSH_DEFAULT, BRUSH_RANGE, AppSettings
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.pipeline.steps import switches as default_switches

DEFAULTS = default_switches()


def start_with(make_window, tmp_path, lines: str):
    """A window started on an ini file holding `lines` and a good model=mlp."""
    (tmp_path / "settings.ini").write_text(f"[General]\nmodel=mlp\n{lines}\n")
    return make_window()


@pytest.mark.parametrize(
    ("line", "brush"),
    [
        ("brush=abc", BRUSH_DEFAULT),
        ("brush=12.5", 12),
        ("brush=31", 31),
        ("brush=-4", BRUSH_RANGE[0]),
        ("brush=1e300", BRUSH_RANGE[1]),
        ("brush=nan", BRUSH_DEFAULT),
        ("brush=inf", BRUSH_DEFAULT),
        ("brush=", BRUSH_DEFAULT),
        ("brush=1, 2", BRUSH_DEFAULT),  # an ini list
        ("brush=@ByteArray(xyz)", BRUSH_DEFAULT),
    ],
)
def test_brush(make_window, tmp_path, line, brush):
    window = start_with(make_window, tmp_path, line)
    assert window.brush.value() == brush and window.canvas.brush == brush
    assert window.active_model() == "mlp"  # the rest is kept


@pytest.mark.parametrize(
    "line",
    [
        "switches=null",
        "switches=abc",
        "switches=[1, 2]",
        "switches=3",
        'switches="{\\"center\\": \\"no\\", \\"crop\\": 1, \\"x\\": false}"',
        "switches=@ByteArray(xyz)",
        "switches=" + "[" * 3000,  # nested too deeply: once no window at all
        "switches=" + "9" * 5000,  # an int too long to read
    ],
)
def test_unreadable_switches_are_the_defaults(make_window, tmp_path, line):
    window = start_with(make_window, tmp_path, f"brush=31\n{line}")
    assert window.strip.switches() == DEFAULTS
    assert window.brush.value() == 31 and window.active_model() == "mlp"


def test_known_switches_are_kept(make_window, tmp_path):
    line = 'switches="{\\"center\\": false, \\"nonsense\\": false}"'
    window = start_with(make_window, tmp_path, line)
    assert window.strip.switches() == {**DEFAULTS, "center": False}


@pytest.mark.parametrize("line", ["model=", "model=no-such-model", "model=a, b"])
def test_an_unknown_model_falls_back_to_the_default(make_window, tmp_path, line):
    (tmp_path / "settings.ini").write_text(f"[General]\n{line}\nbrush=31\n")
    window = make_window()
    assert window.active_model() == DEFAULT_MODEL and window.brush.value() == 31


@pytest.mark.parametrize("key", ["geometry", "window_state"])
@pytest.mark.parametrize(
    "value", ["abc", "@ByteArray(garbage)", "1, 2", "@ByteArray()"]
)
def test_bad_geometry_or_docks_are_ignored(make_window, tmp_path, key, value):
    window = start_with(make_window, tmp_path, f"brush=31\n{key}={value}")
    assert window.isVisible() and window.brush.value() == 31
    assert not window.findChild(QDockWidget, "my-digits").isVisible()


def test_the_docks_open_at_closing_open_at_the_next_start(make_window, qtbot):
    window = make_window()
    dock = window.findChild(QDockWidget, "my-digits")
    dock.show()
    qtbot.waitUntil(lambda: dock.widget() is not None)  # built when first shown
    window.close()
    again = make_window()
    dock = again.findChild(QDockWidget, "my-digits")
    assert dock.isVisible() and not again.compare_dock.isVisible()
    qtbot.waitUntil(lambda: dock.widget() is not None)  # and built
    # Two docks open, Compare's tab in front: so again at the next start.
    again.compare_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: not again.compare_dock.visibleRegion().isEmpty())
    again.close()
    third = make_window()
    qtbot.waitUntil(lambda: not third.compare_dock.visibleRegion().isEmpty())
    dock = third.findChild(QDockWidget, "my-digits")
    assert dock.isVisible() and dock.visibleRegion().isEmpty()  # behind it
    qtbot.wait(50)  # nothing queued brings another tab to the front
    assert not third.compare_dock.visibleRegion().isEmpty()
    dock.hide()
    third.compare_dock.hide()
    third.close()
    assert not make_window().findChild(QDockWidget, "my-digits").isVisible()


def test_a_file_that_is_not_an_ini_file(make_window, tmp_path):
    (tmp_path / "settings.ini").write_bytes(b"\x00\xff[[[\n=\n\x80brush")
    window = make_window()
    assert window.brush.value() == BRUSH_DEFAULT
    assert window.active_model() == DEFAULT_MODEL


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),  # what QSettings can store
    st.floats(),
    st.text(),
    st.binary().map(QByteArray),
    st.lists(st.text(), max_size=3),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(brush=values, switches=values, model=values, geometry=values, docks=values)
def test_any_stored_value_reads_as_a_valid_one(
    tmp_path, brush, switches, model, geometry, docks
):
    store = QSettings(str(tmp_path / "random.ini"), QSettings.Format.IniFormat)
    stored = {"brush": brush, "switches": switches, "model": model}
    for key, value in {**stored, "geometry": geometry, "window_state": docks}.items():
        store.setValue(key, value)
    store.sync()
    read = AppSettings(QSettings(store.fileName(), QSettings.Format.IniFormat))
    brush_value = read.brush()
    assert isinstance(brush_value, int)
    assert BRUSH_RANGE[0] <= brush_value <= BRUSH_RANGE[1]
    assert all(
        k in DEFAULTS and isinstance(v, bool) for k, v in read.switches().items()
    )
    assert isinstance(read.model(), str) and read.model()
    assert read.geometry() is None or isinstance(read.geometry(), QByteArray)
    assert read.window_state() is None or isinstance(read.window_state(), QByteArray)


def test_the_switches_are_kept_as_departures_from_the_models_steps(
    make_window, tmp_path
):
    """cause-unscaled's own steps have Scale and Normalise off: they are not
    saved, so a start with another model (or the model gone) has them on."""
    (tmp_path / "settings.ini").write_text("[General]\nmodel=cause-unscaled\n")
    window = make_window()
    assert window.active_model() == "cause-unscaled"
    assert window.strip.switches() == {**DEFAULTS, "scale": False, "normalize": False}
    switches = {**window.strip.switches(), "center": False}
    window.strip.set_switches(switches)
    assert window.settings.switches() == {"center": False}
    window.model_picker.choose("cnn-bn")
    assert window.strip.switches() == {**DEFAULTS, "center": False}
    window.strip.set_switches(DEFAULTS)
    assert window.settings.switches() == {}
