"""The canvas's pixels: finished strokes cached in one image, plus the live one.

Painting a pointer move touches one segment; finishing a stroke paints that
stroke once into the cache; erasing repaints only the erased stroke's box.
None of these grows with the number of strokes already drawn (a 10,000-stroke
drawing is as quick to draw on as an empty one; see benchmarks/bench_canvas.py).
Everything here is in canvas units; the image is sized in device pixels for
the view it fills, so what is shown is sharp at any size and pixel ratio.
"""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from ..ink.drawing import Drawing, Stroke

INK = QColor(20, 20, 20)
PAPER = QColor(255, 255, 255)


def stroke_boxes(strokes) -> np.ndarray:
    """(n, 4) left, top, right, bottom of each stroke's ink, brush included."""
    boxes = np.empty((len(strokes), 4))
    for i, stroke in enumerate(strokes):
        xs = [p.x for p in stroke.points] or [np.inf]
        ys = [p.y for p in stroke.points] or [np.inf]
        reach = stroke.brush / 2 + 1
        boxes[i] = min(xs) - reach, min(ys) - reach, max(xs) + reach, max(ys) + reach
    return boxes


def touching(boxes: np.ndarray, rect: QRectF) -> np.ndarray:
    """Which boxes overlap `rect` (a boolean mask)."""
    return (
        (boxes[:, 0] <= rect.right())
        & (boxes[:, 2] >= rect.left())
        & (boxes[:, 1] <= rect.bottom())
        & (boxes[:, 3] >= rect.top())
    )


def paint_points(painter: QPainter, points, brush: float) -> QRectF:
    """Paint a run of points with a round pen; returns the box it touched."""
    pen = QPen(INK, brush, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)  # fmt: skip
    if len(points) == 1 or len({p.pressure for p in points}) == 1:
        pen.setWidthF(brush * points[0].pressure)
        painter.setPen(pen)
        if len(points) == 1:
            painter.drawPoint(QPointF(points[0].x, points[0].y))
        else:
            path = QPainterPath(QPointF(points[0].x, points[0].y))
            for p in points[1:]:
                path.lineTo(p.x, p.y)
            painter.drawPath(path)
    else:
        for a, b in itertools.pairwise(points):
            pen.setWidthF(brush * (a.pressure + b.pressure) / 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))
    xs, ys = [p.x for p in points], [p.y for p in points]
    reach = brush * max(p.pressure for p in points) / 2 + 1
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(
        -reach, -reach, reach, reach
    )


class InkBuffer:
    """`finished`: paper, picture and finished strokes; `shown`: plus the live
    stroke's segments. Both are `pixels` device pixels at `ratio`."""

    def __init__(self) -> None:
        self.drawing = Drawing()
        self.picture: np.ndarray | None = None
        self.boxes = np.empty((0, 4))
        self.finished = self.shown = QImage()
        self.scale = 1.0  # logical pixels per canvas unit

    def reset(self, drawing: Drawing, picture, pixels: QSize, ratio: float) -> None:
        """Repaint everything (new content, new size, new pixel ratio)."""
        self.drawing, self.picture = drawing, picture
        self.boxes = stroke_boxes(drawing.strokes)
        self.finished = QImage(pixels, QImage.Format.Format_ARGB32_Premultiplied)
        self.finished.setDevicePixelRatio(ratio)
        self.scale = pixels.width() / ratio / drawing.width
        self._repaint(QRectF(0, 0, drawing.width, drawing.height), drawing.strokes)

    def update(self, drawing: Drawing, picture) -> bool:
        """Follow a change cheaply when it is one stroke added or some erased;
        False when a full `reset` is needed."""
        old = self.drawing
        if picture is not self.picture or (drawing.width, drawing.height) != (
            old.width, old.height
        ):  # fmt: skip
            return False
        n = len(old.strokes)
        if len(drawing.strokes) == n + 1 and drawing.strokes[:n] == old.strokes:
            stroke = drawing.strokes[-1]
            self.drawing = drawing
            self.boxes = np.vstack([self.boxes, stroke_boxes([stroke])])
            if stroke.points:
                with self._painter(self.finished) as painter:
                    paint_points(painter, stroke.points, stroke.brush)
            self.shown = self.finished.copy()
            return True
        kept = _kept_mask(old.strokes, drawing.strokes)
        if kept is None:
            return False
        gone = self.boxes[~kept]
        self.drawing, self.boxes = drawing, self.boxes[kept]
        if len(gone):
            left, top = gone[:, :2].min(axis=0)
            right, bottom = gone[:, 2:].max(axis=0)
            area = self._snap(QRectF(left, top, right - left, bottom - top))
            near = [
                drawing.strokes[i] for i in np.flatnonzero(touching(self.boxes, area))
            ]
            self._repaint(area, near)
        return True

    def paint_live(self, points, brush: float) -> QRectF:
        """Add the newest segment of the stroke in progress to `shown`."""
        with self._painter(self.shown) as painter:
            return paint_points(painter, points, brush)

    def _repaint(self, area: QRectF, strokes) -> None:
        with self._painter(self.finished) as painter:
            painter.setClipRect(area)
            painter.fillRect(area, PAPER)
            if self.picture is not None:
                draw_picture(painter, self.picture, self.drawing)
            for stroke in strokes:
                if stroke.points:
                    paint_points(painter, stroke.points, stroke.brush)
        self.shown = self.finished.copy()

    def _snap(self, area: QRectF) -> QRectF:
        """`area` grown to whole device pixels (no half-painted edge pixels)."""
        k = self.scale * self.finished.devicePixelRatio()
        r = QRectF(area.x() * k, area.y() * k, area.width() * k, area.height() * k)
        r = r.toAlignedRect()
        return QRectF(r.x() / k, r.y() / k, r.width() / k, r.height() / k)

    def _painter(self, image: QImage):
        return _Painter(image, self.scale)


def draw_picture(painter: QPainter, picture: np.ndarray, drawing: Drawing) -> None:
    gray = np.ascontiguousarray(np.clip(picture, 0, 255).astype(np.uint8))
    h, w = gray.shape
    image = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
    painter.drawImage(QRectF(0, 0, drawing.width, drawing.height), image)


def render(drawing: Drawing, picture, pixels: QSize) -> QImage:
    """The whole canvas as an image of `pixels` (for saving as PNG)."""
    buffer = InkBuffer()
    buffer.reset(drawing, picture, pixels, 1.0)
    return buffer.finished.convertToFormat(QImage.Format.Format_RGB32)


def _kept_mask(old: tuple[Stroke, ...], new: tuple[Stroke, ...]):
    """Which of `old` remain when `new` is `old` with some strokes removed."""
    if len(new) >= len(old):
        return None
    kept, j = np.zeros(len(old), dtype=bool), 0
    for i, stroke in enumerate(old):
        if j < len(new) and new[j] is stroke:
            kept[i], j = True, j + 1
    return kept if j == len(new) else None


class _Painter:
    """A QPainter on `image` in canvas units, antialiased, ended on exit."""

    def __init__(self, image: QImage, scale: float):
        self.painter = QPainter(image)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.painter.scale(scale, scale)

    def __enter__(self) -> QPainter:
        return self.painter

    def __exit__(self, *exc) -> None:
        self.painter.end()
