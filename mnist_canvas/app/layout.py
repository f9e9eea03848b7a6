"""Where the main window's widgets sit, drawing on the left, understanding on
the right: the canvas, with the model's eye and the reading beside it; the
pipeline strip below them (it scrolls sideways in a narrow window); Compare,
Why and My digits as tabbed docks on the right, with the window's height.

At 1366×768 a dock opened there gets about 760×650 px and the canvas keeps
280 px or more; the bottom docks this replaces got 60–90 px."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# What the window asks for when it first opens: both halves with room.
FIRST_SIZE = QSize(1180, 700)


def boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 4)
    layout.addWidget(widget)
    return box


class SidewaysScroll(QScrollArea):
    """`widget` at its own height, scrolled sideways when the window is
    narrower than it (the pipeline strip: 9 tiles, about 900 px)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(widget.minimumSizeHint().height() + bar)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.height())

    def sizeHint(self) -> QSize:
        return QSize(self.widget().sizeHint().width(), self.height())


def central_widget(
    canvas: QWidget,
    eye: QWidget,
    reading: QWidget,
    strip_box: QGroupBox,
) -> QWidget:
    """`reading`: the note on the switches above the bars, and the bars."""
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame_layout = QVBoxLayout(frame)
    frame_layout.setContentsMargins(1, 1, 1, 1)
    frame_layout.addWidget(canvas)
    # The model's eye above the reading, beside the drawing: what was drawn,
    # what the model receives and what it answers in one row, and the docks
    # on the right get the width the canvas does not need.
    side = QVBoxLayout()
    side.addWidget(boxed("Model's eye: its 28×28 input", eye))
    side.addWidget(reading, 1)
    top = QHBoxLayout()
    top.addWidget(frame, 3)  # the canvas takes what the window gains
    top.addLayout(side, 2)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addLayout(top, 1)
    layout.addWidget(strip_box)
    return central


class _AtLeast(QWidget):
    """Holds `widget`, asking for a width only the height it cannot do
    without. QScrollArea gives a widget whose layout has height-for-width (a
    word-wrapped label) the height it would like at the viewport's width, so
    the Why dock scrolled where everything fitted. A grid of such widgets
    asks more than its minimum even then (Why's: 915 px where 605 do): never
    more than the minimum found at the narrowest width, where labels wrap most."""

    def __init__(self, widget: QWidget):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)

    def heightForWidth(self, width: int) -> int:
        least = self.minimumSizeHint().height()
        return min(self.layout().minimumHeightForWidth(width), least)


SPARE_WIDTH = 120


class Scrolled(QScrollArea):
    """`widget` filling the area when it fits there, scrolled when not."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Never the focus itself: a click on a dock's words must not take the
        # digit keys from the canvas (its children still take focus).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(_AtLeast(widget))

    def sizeHint(self) -> QSize:  # what the widget asks, its minimum at least
        inner = self.widget()
        least = inner.minimumSizeHint().expandedTo(inner.minimumSize())
        # The width a dock first opens with: the widget's minimum and a little
        # more, not all it would like (Why's 1,276 px left the canvas 280).
        width = min(inner.sizeHint().width(), least.width() + SPARE_WIDTH)
        return QSize(width, inner.sizeHint().height()).expandedTo(least)


SEEN = "seen"  # a dock's property: its content can be seen (visibilityChanged)


def showing(dock: QDockWidget) -> bool:
    """Whether the dock's content can be seen now: open, and not behind
    another dock's tab. What a view computes only for the eye to see."""
    return dock.isVisible() and dock.property(SEEN) is not False


def _opened(window: QMainWindow, dock: QDockWidget) -> None:
    """A dock the user opened comes to the front, at least as wide as its
    content needs (Qt gave My digits 244 of its 475 px)."""
    dock.raise_()
    need = dock.widget().sizeHint().width() if dock.widget() else 0
    if dock.width() < need:
        window.resizeDocks([dock], [need], Qt.Orientation.Horizontal)


def side_dock(
    window: QMainWindow, title: str, name: str, widget: QWidget | None
) -> QDockWidget:
    """A hidden dock on the right of `window` holding `widget` (or, later,
    `Scrolled(widget)`), with the window's height: Compare, Why and My digits
    there show whole at 1366×768. The widget scrolls only when the dock is
    smaller than it (a window made small), never making the window taller
    than the screen, nor squeezing the widget below its minimum."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(Scrolled(widget))
    # Seen or not, tabs included: a dock behind another's tab is isVisible()
    # too, and Compare and Why there kept computing for every pointer move.
    # (Connected first, so every view's own visibilityChanged slot sees it.)
    dock.visibilityChanged.connect(lambda seen: dock.setProperty(SEEN, seen))
    right = Qt.DockWidgetArea.RightDockWidgetArea
    others = [d for d in window.findChildren(QDockWidget) if d is not dock]
    window.addDockWidget(right, dock)
    # Tabs, not side by side: Why opened beside Compare got a 60 px sliver.
    # A dock shown comes to the front (drag its tab out to see two at once).
    first = next((d for d in others if window.dockWidgetArea(d) == right), None)
    if first is not None:
        window.tabifyDockWidget(first, dock)
    # Only when the user opens it (`toggled` also fires when a restored dock
    # is first shown, and the last one would take the saved front tab).
    dock.toggleViewAction().triggered.connect(
        lambda shown: shown and QTimer.singleShot(0, lambda: _opened(window, dock))
    )
    dock.hide()
    return dock
