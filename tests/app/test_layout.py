"""The window's layout at the two common screen sizes: with Compare, Why or
My digits open, its content shows whole (no scrolling) and the canvas keeps
280 px; the arrangement comes back at the next start; the window can be small.

Sizes are read only once Qt has laid the window out (qtbot.waitUntil)."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget
from window_fixtures import (  # noqa: F401
    ONE,
    make_window,
    messages,
    settle,
    window,
)

from mnist_canvas.app.compare import ROW
from mnist_canvas.app.neighbour_strip import ICON, K

# A maximised window's inside: the screen less a title bar (about 30 px).
SCREENS = {"1366x768": (1366, 738), "1920x1080": (1920, 1050)}
CANVAS = 280


def open_dock(qtbot, window, name: str) -> QDockWidget:
    dock = window.findChild(QDockWidget, name)
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: dock.widget() is not None and dock.isVisible())
    return dock


def whole(qtbot, dock: QDockWidget) -> None:
    """Wait until the dock shows its content unscrolled, or fail."""
    area = dock.widget()

    def unscrolled():
        inner = area.widget()
        return (
            area.verticalScrollBar().maximum() == 0
            and area.horizontalScrollBar().maximum() == 0
            and inner.height() >= inner.minimumSizeHint().height()
        )

    qtbot.waitUntil(unscrolled, timeout=10_000)


def canvas_room(qtbot, window) -> None:
    canvas = window.canvas
    qtbot.waitUntil(lambda: min(canvas.width(), canvas.height()) >= CANVAS)


@pytest.fixture(params=SCREENS)
def screen(request, window):
    window.resize(*SCREENS[request.param])
    return request.param


def test_compare_shows_every_model_whole(qtbot, window, screen):
    dock = open_dock(qtbot, window, "compare")
    window.canvas.add_stroke(ONE)
    settle(qtbot, window)
    models = len(window.catalogue.entries())
    qtbot.waitUntil(lambda: len(window.compare.rows) == models)
    whole(qtbot, dock)
    canvas_room(qtbot, window)
    rows = (window.compare.height() - 8) // ROW - 1  # the header is a row
    assert rows >= (models if screen == "1920x1080" else 8)
    assert rows >= models  # all 15 fit at 1366×768 too
    # No name is cut: the name column is as wide as the longest name.
    widest = max(
        window.compare.fontMetrics().horizontalAdvance(name)
        for name, _, _ in window.compare.rows
    )
    assert widest <= window.compare.name_width() - 8


def test_why_shows_evidence_neighbours_probes_and_sweep_together(qtbot, window, screen):
    dock = open_dock(qtbot, window, "why")
    window.canvas.add_stroke(ONE)
    settle(qtbot, window)
    whole(qtbot, dock)
    canvas_room(qtbot, window)
    panel = window.why.panel
    viewport = dock.widget().viewport()
    seen = [panel.attribution, panel.probes, panel.probes.plot, panel.neighbours]
    for part in seen:  # inside the dock's viewport, none cut
        top_left = part.mapTo(viewport, part.rect().topLeft())
        assert viewport.rect().contains(top_left), part
        assert viewport.rect().contains(top_left + part.rect().bottomRight())
    assert len(panel.neighbours.buttons) == K
    for button in panel.neighbours.buttons:  # their room, kept while hidden
        assert button.iconSize().width() >= ICON >= 56
        assert button.minimumWidth() >= ICON and button.minimumHeight() >= ICON


def test_why_is_whole_behind_tabs_too(qtbot, window, screen):
    open_dock(qtbot, window, "compare")
    open_dock(qtbot, window, "my-digits")
    dock = open_dock(qtbot, window, "why")  # in front, with a row of tabs
    assert len(window.tabifiedDockWidgets(dock)) == 2
    whole(qtbot, dock)
    canvas_room(qtbot, window)


def test_my_digits_shows_its_buttons_and_two_rows_of_thumbnails(qtbot, window, screen):
    from mnist_canvas.app.my_digits_view import THUMB, MyDigitsView

    dock = open_dock(qtbot, window, "my-digits")
    whole(qtbot, dock)
    canvas_room(qtbot, window)
    view = dock.findChild(MyDigitsView)
    assert view.digits.viewport().height() >= 2 * THUMB + 16
    for button in (view.open_button, view.relabel_button, view.delete_button,
                   view.import_button, view.export_button):  # fmt: skip
        assert button.isVisible() and not button.visibleRegion().isEmpty()


def test_the_window_can_be_made_800_by_600(qtbot, window):
    qtbot.waitUntil(lambda: window.canvas.width() > 0)
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() <= 800 and window.height() <= 600)
    strip = window.strip_box
    assert strip.isVisible() and strip.width() <= 800  # it scrolls sideways


def test_the_arrangement_comes_back_at_the_next_start(qtbot, make_window):
    first = make_window("layout.ini")
    first.resize(1366, 738)
    dock = open_dock(qtbot, first, "why")
    canvas_room(qtbot, first)
    first.resizeDocks([dock], [700], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(dock.width() - 700) <= 8)
    width = dock.width()
    first.close()
    second = make_window("layout.ini")
    second.resize(1366, 738)  # the offscreen screen, 800 px, clamps the saved one
    again = second.findChild(QDockWidget, "why")
    qtbot.waitUntil(lambda: again.isVisible() and again.widget() is not None)
    qtbot.waitUntil(lambda: abs(again.width() - width) <= 8, timeout=2000)
    assert second.findChild(QDockWidget, "compare").isHidden()
