"""The drawing canvas: mouse or pen in, a `Drawing` out.

Strokes are kept as vectors in canvas units (the `Drawing` is the source of
truth, 280×280 by default, whatever the widget's size). The widget fills the
room it gets, shows the canvas as the largest rectangle of its proportions that
fits, and maps pointer positions back to canvas units. The pixels come from an
`InkBuffer` sized to the view in device pixels, so the ink is sharp at any
window size and pixel ratio, and a pointer move paints one segment however many
strokes there are. Every change goes through a `QUndoStack`, so undo and redo
cover strokes, erasing and clearing. `drawingChanged` fires on every pointer
move, with the stroke in progress.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QMouseEvent,
    QPainter,
    QPalette,
    QTabletEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..ink.drawing import (
    DEFAULT_BRUSH,
    DEFAULT_CANVAS,
    MAX_POINTS,
    Drawing,
    Point,
    Stroke,
)
from .ink_buffer import InkBuffer, render, touching

ERASER_RADIUS = 10.0  # canvas units
SAVED_SIDE = 280  # pixels of the longer side of a saved PNG (the canvas's own)


ERASING = 1  # the undo command id of erasing: one drag, one step to undo


class _SetContent(QUndoCommand):
    """Replace the canvas content (drawing and picture) with another, undoably.
    The erasures of one pointer drag (`gesture`) merge into one command."""

    def __init__(
        self, canvas: Canvas, drawing: Drawing, picture, text: str, gesture=None
    ):
        super().__init__(text)
        self.canvas = canvas
        self.before = (canvas.drawing, canvas.picture)
        self.after = (drawing, picture)
        self.gesture = gesture

    def id(self) -> int:
        return -1 if self.gesture is None else ERASING

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _SetContent) or other.gesture != self.gesture:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.canvas._set_content(*self.after)

    def undo(self) -> None:
        self.canvas._set_content(*self.before)


def _hits(stroke: Stroke, x: float, y: float, radius: float) -> bool:
    """Does a disc of `radius` at (x, y) touch the stroke's ink?"""
    pts = np.array([(p.x, p.y) for p in stroke.points], dtype=float).reshape(-1, 2)
    if len(pts) == 0:
        return False
    reach = radius + stroke.brush / 2
    if len(pts) == 1:
        return bool(np.hypot(*(pts[0] - (x, y))) <= reach)
    a, ab = pts[:-1], np.diff(pts, axis=0)
    ap = np.array([x, y]) - a
    t = np.clip((ap * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
    return bool((np.hypot(*(ap - ab * t[:, None]).T) <= reach).any())


class Canvas(QWidget):
    """Draw with the mouse or a pen; erase whole strokes; undo, redo, clear."""

    drawingChanged = Signal(object)  # the Drawing, including the stroke in progress
    contentChanged = Signal()  # a finished change (stroke, erase, clear, open)

    def __init__(self, undo_stack: QUndoStack | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = undo_stack or QUndoStack(self)
        self.drawing = Drawing(DEFAULT_CANVAS, DEFAULT_CANVAS)
        self.picture: np.ndarray | None = None  # an opened image, canvas-convention
        self.brush = DEFAULT_BRUSH
        self.erasing = False
        self._points: list[Point] = []
        self._tablet_down = False
        self._gesture = 0  # counts pointer presses: an eraser drag is one
        self._ink = InkBuffer()
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(self.minimumSizeHint())
        # Pressing on the canvas takes the focus, so a digit key typed after
        # drawing keeps the drawing even if a list in a dock had the keys.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit. Right-drag or the eraser tool removes strokes.")
        self._reset_ink()

    # -- public API (what the window's actions and the tests call) ---------------
    def sizeHint(self) -> QSize:
        return QSize(2 * DEFAULT_CANVAS, 2 * DEFAULT_CANVAS)

    def minimumSizeHint(self) -> QSize:
        return QSize(DEFAULT_CANVAS, DEFAULT_CANVAS)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def current_drawing(self) -> Drawing:
        """The drawing including the stroke being drawn right now."""
        if not self._points:
            return self.drawing
        return self.drawing.with_stroke(Stroke(tuple(self._points), self.brush))

    def add_stroke(self, points, brush: float | None = None) -> None:
        """Add a finished stroke of (x, y[, pressure]) points, undoably."""
        stroke = Stroke.from_points(points, brush or self.brush)
        self._push(self.drawing.with_stroke(stroke), self.picture, "Draw stroke")

    def begin_stroke(self, x: float, y: float, pressure: float = 1.0) -> None:
        self._points = [Point(x, y, pressure)]
        self._paint_segment()
        self.drawingChanged.emit(self.current_drawing())

    def extend_stroke(self, x: float, y: float, pressure: float = 1.0) -> None:
        if not self._points:
            return self.begin_stroke(x, y, pressure)
        last = self._points[-1]
        if (last.x, last.y) == (x, y):
            return None
        if self.drawing.point_count + len(self._points) >= MAX_POINTS:
            return None  # full: as many points as a drawing file may hold
        self._points.append(Point(x, y, pressure))
        self._paint_segment()
        self.drawingChanged.emit(self.current_drawing())
        return None

    def end_stroke(self) -> None:
        if not self._points:
            return
        stroke = Stroke(tuple(self._points), self.brush)
        self._points = []
        self._push(self.drawing.with_stroke(stroke), self.picture, "Draw stroke")

    def erase_at(self, x: float, y: float) -> None:
        """Remove the strokes a disc of ERASER_RADIUS at (x, y) touches."""
        r = ERASER_RADIUS
        near = touching(self._ink.boxes, QRectF(x - r, y - r, 2 * r, 2 * r))
        strokes = self.drawing.strokes
        hit = {i for i in np.flatnonzero(near) if _hits(strokes[i], x, y, r)}
        if hit:
            kept = tuple(s for i, s in enumerate(strokes) if i not in hit)
            drawing = Drawing(self.drawing.width, self.drawing.height, kept)
            self._push(drawing, self.picture, "Erase", self._gesture)

    def clear(self) -> None:
        if not self.drawing.is_empty or self.picture is not None:
            blank = Drawing(self.drawing.width, self.drawing.height)
            self._push(blank, None, "Clear")

    def set_drawing(self, drawing: Drawing, text: str = "Open drawing") -> None:
        self._push(drawing, None, text)

    def set_picture(self, picture: np.ndarray, text: str = "Open image") -> None:
        blank = Drawing(self.drawing.width, self.drawing.height)
        self._push(blank, np.asarray(picture, dtype=np.float32), text)

    def source(self):
        """What the model should read: the drawing, or the picture under it."""
        if self.picture is None:
            return self.current_drawing()
        from ..ink.raster import render

        drawing = self.current_drawing()
        if drawing.is_empty:
            return self.picture
        return np.minimum(self.picture, render(drawing))

    def is_empty(self) -> bool:
        return self.current_drawing().is_empty and self.picture is None

    def to_image(self) -> QImage:
        """The canvas (white paper, black ink) for saving as PNG: its longer
        side SAVED_SIDE pixels, whatever the widget's size or the canvas units."""
        d = self.current_drawing()
        scale = SAVED_SIDE / max(d.width, d.height)
        pixels = QSize(max(1, round(d.width * scale)), max(1, round(d.height * scale)))
        return render(d, self.picture, pixels)

    def view_rect(self) -> QRectF:
        """Where the canvas is shown in the widget (logical pixels)."""
        w, h = max(self.width(), 1), max(self.height(), 1)
        aspect = self.drawing.width / self.drawing.height
        vw, vh = (h * aspect, h) if w / h > aspect else (w, w / aspect)
        vw, vh = max(1.0, round(vw)), max(1.0, round(vh))
        return QRectF(round((w - vw) / 2), round((h - vh) / 2), vw, vh)

    def to_canvas(self, pos: QPointF) -> tuple[float, float]:
        """A widget position in canvas units."""
        view = self.view_rect()
        scale = self.drawing.width / view.width()
        return (pos.x() - view.left()) * scale, (pos.y() - view.top()) * scale

    # -- content and buffer -----------------------------------------------------
    def _push(self, drawing: Drawing, picture, text: str, gesture=None) -> None:
        self.undo_stack.push(_SetContent(self, drawing, picture, text, gesture))

    def _set_content(self, drawing: Drawing, picture) -> None:
        self.drawing, self.picture = drawing, picture
        self._points = []
        if not self._ink.update(drawing, picture):
            self._reset_ink()
        self.update()
        self.drawingChanged.emit(self.current_drawing())
        self.contentChanged.emit()

    def _reset_ink(self) -> None:
        ratio = self.devicePixelRatioF()
        view = self.view_rect()
        pixels = QSize(round(view.width() * ratio), round(view.height() * ratio))
        self._ink.reset(self.drawing, self.picture, pixels, ratio)

    def _paint_segment(self) -> None:
        """Paint only the newest segment of the stroke in progress."""
        box = self._ink.paint_live(self._points[-2:], self.brush)
        view, scale = self.view_rect(), self._ink.scale
        self.update(
            QRectF(
                view.left() + box.left() * scale,
                view.top() + box.top() * scale,
                box.width() * scale,
                box.height() * scale,
            ).toAlignedRect()
        )

    # -- Qt events --------------------------------------------------------------
    def paintEvent(self, event) -> None:
        if self._ink.finished.devicePixelRatio() != self.devicePixelRatioF():
            self._reset_ink()  # moved to a screen with another pixel ratio
        painter = QPainter(self)
        view = self.view_rect()
        if view.toRect() != self.rect():
            # The window's own colour around the square page (grey bars
            # there looked like disabled areas).
            window = self.palette().color(QPalette.ColorRole.Window)
            painter.fillRect(self.rect(), window)
        painter.drawImage(view.topLeft(), self._ink.shown)

    def resizeEvent(self, event) -> None:
        self._reset_ink()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._reset_ink()
            self.update()
        super().changeEvent(event)

    def _wants_erase(self, buttons) -> bool:
        return self.erasing or bool(buttons & Qt.MouseButton.RightButton)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._tablet_down:
            return  # Qt's mouse event made up from a pen event: already handled
        x, y = self.to_canvas(event.position())
        self._gesture += 1
        if self._wants_erase(event.buttons()):
            self.erase_at(x, y)
        elif event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(x, y)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._tablet_down:
            return
        x, y = self.to_canvas(event.position())
        if self._wants_erase(event.buttons()):
            self.erase_at(x, y)
        elif event.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(x, y)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._tablet_down and event.button() == Qt.MouseButton.LeftButton:
            self.end_stroke()

    def tabletEvent(self, event: QTabletEvent) -> None:
        (x, y), pressure = self.to_canvas(event.position()), max(event.pressure(), 0.05)
        eraser = event.pointerType() == event.pointerType().Eraser
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._tablet_down = True
            self._gesture += 1
            self.setFocus(Qt.FocusReason.MouseFocusReason)  # as a mouse press does
            if eraser or self.erasing:
                self.erase_at(x, y)
            else:
                self.begin_stroke(x, y, pressure)
        elif kind == QTabletEvent.Type.TabletMove and self._tablet_down:
            if eraser or self.erasing:
                self.erase_at(x, y)
            else:
                self.extend_stroke(x, y, pressure)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._tablet_down = False
            self.end_stroke()
        event.accept()
