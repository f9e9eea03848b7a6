"""Ten probability bars and the top digit, large, with its confidence."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPalette,
    QPixmap,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QWidget

TOP = QColor(46, 125, 50)  # sure: green
FAIR = QColor(173, 110, 0)  # fairly sure: amber
UNSURE = QColor(150, 150, 150)  # unsure: grey, no colour of its own
OUT = QColor(198, 40, 40)  # the input is not what the model expects: red
BAR = QColor(120, 144, 156)
SURE, FAIRLY = 0.9, 0.6  # the confidences where the words and colours change


def verdict(p: np.ndarray, outside: str | None = None) -> tuple[QColor, str]:
    """The top digit's colour and the words beside it: an unsure reading must
    not look like a sure one, nor one made of input the model never saw."""
    order = np.argsort(p)[::-1]
    top, second = int(order[0]), int(order[1])
    if outside:
        return OUT, f"{p[top]:.0%}, but {outside}: do not trust it"
    if p[top] >= SURE:
        return TOP, f"{p[top]:.1%} sure"
    if p[top] >= FAIRLY:
        return FAIR, f"fairly sure: {p[top]:.1%}\n(else {second}: {p[second]:.0%})"
    return UNSURE, f"unsure: {p[top]:.1%}\n(or {second}: {p[second]:.0%})"


class ProbabilityView(QWidget):
    """Shows a Prediction; with no probabilities, an invitation to draw.
    A click on a digit's bar emits `digitClicked(digit)`."""

    digitClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.probabilities: np.ndarray | None = None
        self.message = "Draw a digit"
        self.outside: str | None = None  # how the input departs from the expected
        self.serial = 0  # the request whose answer is shown
        self._texts: dict[str, QStaticText] = {}
        self._texts_font: str | None = None  # QFont.key() of the laid-out texts
        self._tracks_key, self._tracks_pixmap = None, None
        self.setMinimumSize(QSize(240, 190))

    def show_probabilities(
        self, probabilities, serial: int, message: str = "", outside=None
    ) -> None:
        """`outside`: how the input lies outside the values the model
        expects, in words ('values up to 827, it expects up to 2.8')."""
        self.probabilities = probabilities
        self.serial = serial
        self.message = message or "Draw a digit"
        self.outside = outside
        self.update()

    @property
    def digit(self) -> int | None:
        p = self.probabilities
        return None if p is None else int(np.argmax(p))

    def _header_height(self) -> float:
        return min(self.height() * 0.3, 110.0)

    def digit_at(self, y: float) -> int | None:
        """The digit whose bar row is at height `y` (None: above the bars)."""
        top = self._header_height()
        row = (self.height() - top) / 10
        if y < top or row <= 0:
            return None
        return min(int((y - top) // row), 9)

    def mousePressEvent(self, event) -> None:
        digit = self.digit_at(event.position().y())
        if self.probabilities is not None and digit is not None:
            self.digitClicked.emit(digit)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        w, h = self.width(), self.height()
        header = QRectF(0, 0, w, self._header_height())
        big = QFont(self.font())
        if self.probabilities is None:
            big.setPointSizeF(big.pointSizeF() * 1.6)
            painter.setFont(big)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            if len(self.message) > 40:  # a reason, not a hint: all of it, wrapped
                painter.setFont(self.font())
                header = QRectF(12, 0, w - 24, h)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(header, flags, self.message)
            return
        p = self.probabilities
        top = int(np.argmax(p))
        colour, words = verdict(p, self.outside)
        big.setPointSizeF(big.pointSizeF() * 4)
        big.setBold(True)
        painter.setFont(big)
        painter.setPen(colour)
        left = QRectF(0, 0, w * 0.45, header.height())
        right_edge = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(left, right_edge, str(top))
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * (1.3 if len(words) < 16 else 1.0))
        painter.setFont(small)
        painter.setPen(text_color if colour is TOP else colour)
        right = QRectF(w * 0.45 + 16, 0, w * 0.55 - 20, header.height())
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(right, flags, words)
        self._paint_bars(
            painter, p, top, colour, QRectF(0, header.height(), w, h - header.height())
        )

    def _paint_bars(
        self, painter: QPainter, p, top: int, colour: QColor, area: QRectF
    ) -> None:
        row = area.height() / 10
        label_w, value_w = 22.0, 56.0
        bar_w = area.width() - label_w - value_w - 8
        # Labels and empty tracks change only with the size, font and palette:
        # drawn once into a pixmap. Values are laid out once per string.
        painter.drawPixmap(area.topLeft(), self._tracks(area, row, label_w, bar_w))
        painter.setPen(Qt.PenStyle.NoPen)
        for digit in range(10):
            y = area.top() + digit * row
            painter.setBrush(colour if digit == top else BAR)
            length = max(bar_w * float(p[digit]), 1.0)
            painter.drawRoundedRect(
                QRectF(label_w, y + row * 0.2, length, row * 0.6), 3, 3
            )
        painter.setFont(self.font())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for digit in range(10):
            text = self._text(f"{p[digit]:.1%}")
            y = area.top() + digit * row + (row - text.size().height()) / 2
            painter.drawStaticText(QPointF(label_w + bar_w + 4, y), text)

    def _text(self, value: str) -> QStaticText:
        """`value` laid out in this view's font, once (1,001 values at most)."""
        font = self.font()
        if self._texts_font != font.key():  # the same key as the tracks' cache
            self._texts, self._texts_font = {}, font.key()
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = QStaticText(value)
            text.prepare(QTransform(), font)
        return text

    def _tracks(self, area: QRectF, row: float, label_w: float, bar_w: float):
        """The digits' labels and their empty tracks: a pixmap the size of `area`."""
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        ratio = self.devicePixelRatioF()
        key = (area.size().toTuple(), ratio, self.font().key(), text_color.rgba())
        if self._tracks_key == key:
            return self._tracks_pixmap
        pixmap = QPixmap((area.size() * ratio).toSize())
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        for digit in range(10):
            y = digit * row
            painter.setPen(text_color)
            painter.drawText(
                QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignCenter, str(digit)
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 18))
            painter.drawRoundedRect(
                QRectF(label_w, y + row * 0.2, bar_w, row * 0.6), 3, 3
            )
        painter.end()
        self._tracks_key, self._tracks_pixmap = key, pixmap
        return pixmap
