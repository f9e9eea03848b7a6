"""The canvas widget: sizes, pointer mapping, and painting work per move."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSize, Qt

from mnist_canvas.app import ink_buffer
from mnist_canvas.app.canvas import Canvas
from mnist_canvas.ink.drawing import MAX_CANVAS_SIDE, MAX_POINTS, Drawing, Stroke


@pytest.fixture
def canvas(qtbot):
    c = Canvas()
    qtbot.addWidget(c)
    c.resize(560, 560)
    c.show()
    qtbot.waitExposed(c)
    return c


def many_strokes(n, width=280.0):
    """`n` short strokes (a few units long) spread over the canvas."""
    rng = np.random.default_rng(1)
    paths = rng.uniform(0, width, (n, 1, 2)) + rng.normal(0, 3, (n, 3, 2))
    strokes = tuple(Stroke.from_points(p.tolist(), 3.0) for p in paths)
    return Drawing(width, width, strokes)


def pixels(image):
    image = image.convertToFormat(image.Format.Format_Grayscale8)
    return np.array(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )[:, : image.width()]


def test_the_canvas_grows_and_keeps_canvas_units(canvas, qtbot):
    assert canvas.view_rect().width() == canvas.view_rect().height() == 560
    assert canvas.to_canvas(canvas.view_rect().center()) == (140, 140)
    canvas.resize(900, 600)  # wider than square: the canvas is centred
    view = canvas.view_rect()
    assert (view.width(), view.height(), view.left()) == (600, 600, 150)
    assert canvas.to_canvas(view.topLeft()) == (0, 0)
    assert canvas.heightForWidth(500) == 500


def test_a_real_drag_lands_in_canvas_units(canvas, qtbot):
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(300, 400))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(300, 400))
    (stroke,) = canvas.drawing.strokes
    assert [(p.x, p.y) for p in stroke.points] == [(50, 50), (150, 200)]
    assert canvas.drawing.width == 280


def test_one_eraser_drag_is_one_step_to_undo(canvas, qtbot):
    for x in (60, 140, 220):  # three upright bars, 80 px apart on screen
        canvas.add_stroke([(x, 60), (x, 220)])
    canvas.erasing = True
    # A drag across the first two bars (screen = 2 × canvas units) ...
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 280))
    for x in range(110, 300, 10):
        qtbot.mouseMove(canvas, QPoint(x, 280))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(290, 280))
    assert len(canvas.drawing.strokes) == 1
    # ... then a second drag over the third.
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(440, 280))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(440, 280))
    assert canvas.drawing.is_empty
    # Each stroke erased was a step of its own: the first drag took two undos.
    canvas.undo_stack.undo()
    assert len(canvas.drawing.strokes) == 1
    canvas.undo_stack.undo()
    assert len(canvas.drawing.strokes) == 3
    canvas.undo_stack.redo()
    assert len(canvas.drawing.strokes) == 1


def test_a_huge_canvas_never_blows_the_widget_up(canvas):
    canvas.set_drawing(many_strokes(5, width=MAX_CANVAS_SIDE))
    assert canvas.size() == QSize(560, 560)
    buffer = canvas._ink.finished
    ratio = canvas.devicePixelRatioF()
    assert buffer.width() <= 560 * ratio and buffer.height() <= 560 * ratio
    assert canvas.to_image().size() == QSize(280, 280)


def test_the_buffer_matches_the_view_in_device_pixels(canvas):
    ratio = canvas.devicePixelRatioF()
    image = canvas._ink.finished
    assert image.devicePixelRatio() == ratio
    assert image.width() == round(canvas.view_rect().width() * ratio)


def test_painting_work_does_not_grow_with_the_strokes_drawn(canvas, monkeypatch):
    canvas.set_drawing(many_strokes(2000))
    calls = []
    real = ink_buffer.paint_points
    monkeypatch.setattr(
        ink_buffer, "paint_points", lambda *a: calls.append(1) or real(*a)
    )
    canvas.begin_stroke(10, 10)
    canvas.extend_stroke(20, 30)
    canvas.extend_stroke(40, 30)
    canvas.end_stroke()
    assert len(calls) == 4  # three moves, and the finished stroke once
    calls.clear()
    canvas.erase_at(40, 30)  # only the strokes near the erased one are repainted
    assert len(canvas.drawing.strokes) < 2001
    assert len(calls) < 200  # 1999 when everything is repainted


def test_cheap_updates_paint_what_a_full_repaint_paints(canvas):
    canvas.set_drawing(many_strokes(400))
    canvas.add_stroke([(20, 20), (200, 250)])
    canvas.erase_at(140, 140)
    canvas.undo_stack.undo()
    canvas.undo_stack.redo()
    cheap = pixels(canvas._ink.finished).astype(int)
    canvas._reset_ink()
    full = pixels(canvas._ink.finished).astype(int)
    assert np.abs(cheap - full).max() <= 2
    assert (full < 128).sum() > 1000  # there is ink to compare


def test_a_full_drawing_takes_no_more_points_and_keeps_its_strokes(canvas):
    side = [(float(i % 200), float(i // 200)) for i in range(MAX_POINTS - 2)]
    canvas.add_stroke(side)
    for x in range(10):
        canvas.extend_stroke(10.0 + x, 10.0)
    canvas.end_stroke()
    assert canvas.drawing.point_count == MAX_POINTS
    assert len(canvas.drawing.strokes) == 2


def test_a_pen_stroke_draws_with_pressure_and_takes_the_keys(qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

    window, other, canvas = QWidget(), QLineEdit(), Canvas()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(other)
    layout.addWidget(canvas)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    pen = QPointingDevice(
        "pen", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3,
    )  # fmt: skip

    def send(kind, x, y, pressure, buttons):
        event = QTabletEvent(
            kind, pen, QPointF(x, y), canvas.mapToGlobal(QPointF(x, y)), pressure,
            0, 0, 0, 0, 0, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
            buttons,
        )  # fmt: skip
        QApplication.sendEvent(canvas, event)

    held = Qt.MouseButton.LeftButton
    send(QEvent.Type.TabletPress, 100, 100, 0.3, held)
    send(QEvent.Type.TabletMove, 120, 160, 0.9, held)
    send(QEvent.Type.TabletRelease, 120, 160, 0.0, Qt.MouseButton.NoButton)
    (stroke,) = canvas.current_drawing().strokes
    assert [p.pressure for p in stroke.points][:2] == pytest.approx([0.3, 0.9])
    assert QApplication.focusWidget() is canvas
