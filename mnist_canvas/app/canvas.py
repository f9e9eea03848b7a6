"""The drawing canvas: mouse or pen in, a `Drawing` out.

Strokes are kept as vectors (the `Drawing` is the source of truth); the screen
is painted from an off-screen buffer that grows one segment per pointer move,
so painting stays cheap however long the drawing gets. Every change goes
through a `QUndoStack`, so undo and redo cover strokes, erasing and clearing.
`drawingChanged` fires on every pointer move, with the stroke in progress.
"""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTabletEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..ink.drawing import DEFAULT_BRUSH, DEFAULT_CANVAS, Drawing, Point, Stroke

INK = QColor(20, 20, 20)
PAPER = QColor(255, 255, 255)
ERASER_RADIUS = 10.0


class _SetContent(QUndoCommand):
    """Replace the canvas content (drawing and picture) with another, undoably."""

    def __init__(self, canvas: Canvas, drawing: Drawing, picture, text: str):
        super().__init__(text)
        self.canvas = canvas
        self.before = (canvas.drawing, canvas.picture)
        self.after = (drawing, picture)

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
        self._buffer = QImage()
        self.setMinimumSize(QSize(DEFAULT_CANVAS, DEFAULT_CANVAS))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit. Right-drag or the eraser tool removes strokes.")
        self._rebuild_buffer()

    # -- public API (what the window's actions and the tests call) ---------------
    def sizeHint(self) -> QSize:
        return QSize(round(self.drawing.width), round(self.drawing.height))

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
        kept = tuple(
            s for s in self.drawing.strokes if not _hits(s, x, y, ERASER_RADIUS)
        )
        if len(kept) != len(self.drawing.strokes):
            drawing = Drawing(self.drawing.width, self.drawing.height, kept)
            self._push(drawing, self.picture, "Erase stroke")

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
        """The canvas as shown (white paper, black ink), for saving as PNG."""
        return self._buffer.copy()

    # -- content and buffer -----------------------------------------------------
    def _push(self, drawing: Drawing, picture, text: str) -> None:
        self.undo_stack.push(_SetContent(self, drawing, picture, text))

    def _set_content(self, drawing: Drawing, picture) -> None:
        self.drawing, self.picture = drawing, picture
        self._points = []
        if self.size() != self.sizeHint():
            self.setFixedSize(self.sizeHint())
        self._rebuild_buffer()
        self.drawingChanged.emit(self.current_drawing())
        self.contentChanged.emit()

    def _rebuild_buffer(self) -> None:
        size = self.sizeHint()
        self._buffer = QImage(size, QImage.Format.Format_RGB32)
        self._buffer.fill(PAPER)
        painter = QPainter(self._buffer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.picture is not None:
            gray = np.ascontiguousarray(np.clip(self.picture, 0, 255).astype(np.uint8))
            h, w = gray.shape
            image = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
            painter.drawImage(QRectF(0, 0, size.width(), size.height()), image)
        for stroke in self.drawing.strokes:
            self._paint_points(painter, stroke.points, stroke.brush)
        painter.end()
        self.update()

    def _paint_points(self, painter: QPainter, points, brush: float) -> QRectF:
        pen = QPen(
            INK,
            brush,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        if len(points) == 1 or len({p.pressure for p in points}) == 1:
            pen.setWidthF(brush * points[0].pressure)
            painter.setPen(pen)
            path = QPainterPath(QPointF(points[0].x, points[0].y))
            for p in points[1:]:
                path.lineTo(p.x, p.y)
            if len(points) == 1:
                painter.drawPoint(QPointF(points[0].x, points[0].y))
            else:
                painter.drawPath(path)
            return path.boundingRect().adjusted(-brush, -brush, brush, brush)
        for a, b in itertools.pairwise(points):
            pen.setWidthF(brush * (a.pressure + b.pressure) / 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))
        return QRectF(self.rect())

    def _paint_segment(self) -> None:
        """Paint only the newest segment of the stroke in progress."""
        painter = QPainter(self._buffer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        dirty = self._paint_points(painter, self._points[-2:], self.brush)
        painter.end()
        self.update(dirty.toAlignedRect())

    # -- Qt events --------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.drawImage(event.rect(), self._buffer, event.rect())

    def _wants_erase(self, buttons) -> bool:
        return self.erasing or bool(buttons & Qt.MouseButton.RightButton)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._tablet_down:
            return  # Qt's mouse event made up from a pen event: already handled
        pos = event.position()
        if self._wants_erase(event.buttons()):
            self.erase_at(pos.x(), pos.y())
        elif event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(pos.x(), pos.y())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._tablet_down:
            return
        pos = event.position()
        if self._wants_erase(event.buttons()):
            self.erase_at(pos.x(), pos.y())
        elif event.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(pos.x(), pos.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._tablet_down and event.button() == Qt.MouseButton.LeftButton:
            self.end_stroke()

    def tabletEvent(self, event: QTabletEvent) -> None:
        pos, pressure = event.position(), max(event.pressure(), 0.05)
        eraser = event.pointerType() == event.pointerType().Eraser
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._tablet_down = True
            if eraser or self.erasing:
                self.erase_at(pos.x(), pos.y())
            else:
                self.begin_stroke(pos.x(), pos.y(), pressure)
        elif kind == QTabletEvent.Type.TabletMove and self._tablet_down:
            if eraser or self.erasing:
                self.erase_at(pos.x(), pos.y())
            else:
                self.extend_stroke(pos.x(), pos.y(), pressure)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._tablet_down = False
            self.end_stroke()
        event.accept()
