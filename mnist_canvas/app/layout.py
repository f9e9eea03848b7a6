"""Where the main window's widgets sit: the canvas with the model's eye beside
it, then the probabilities; the pipeline strip below; compare and the other
views in docks."""

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


def boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    QVBoxLayout(box).addWidget(widget)
    return box


def central_widget(
    canvas: QWidget, eye: QWidget, probabilities: QWidget, strip: QWidget
) -> QWidget:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame_layout = QVBoxLayout(frame)
    frame_layout.setContentsMargins(1, 1, 1, 1)
    frame_layout.addWidget(canvas)
    # The model's eye beside the drawing, not under it: what was drawn and
    # what the model receives side by side, and the canvas gets the height a
    # short window or a dock below leaves.
    left = QHBoxLayout()
    left.addWidget(frame, 1)  # the canvas takes what the window gains
    eye_box = boxed("Model's eye: the exact 28×28 input", eye)
    left.addWidget(eye_box, 0, Qt.AlignmentFlag.AlignTop)
    top = QHBoxLayout()
    top.addLayout(left, 3)
    top.addWidget(probabilities, 2)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addLayout(top, 1)
    strip_title = "Preprocessing: switch a step off to see what it prevents"
    layout.addWidget(boxed(strip_title, strip))
    return central


class _AtLeast(QWidget):
    """Holds `widget`, asking for a width only the height it cannot do
    without. QScrollArea gives a widget whose layout has height-for-width (a
    word-wrapped label) the height it would like at the viewport's width, so
    the Why dock scrolled where everything fitted."""

    def __init__(self, widget: QWidget):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)

    def heightForWidth(self, width: int) -> int:
        return self.layout().minimumHeightForWidth(width)


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
        return (
            inner.sizeHint()
            .expandedTo(inner.minimumSizeHint())
            .expandedTo(inner.minimumSize())
        )


SEEN = "seen"  # a dock's property: its content can be seen (visibilityChanged)


def showing(dock: QDockWidget) -> bool:
    """Whether the dock's content can be seen now: open, and not behind
    another dock's tab. What a view computes only for the eye to see."""
    return dock.isVisible() and dock.property(SEEN) is not False


def bottom_dock(
    window: QMainWindow, title: str, name: str, widget: QWidget | None
) -> QDockWidget:
    """A hidden dock at the bottom of `window` holding `widget` (or, later,
    `Scrolled(widget)`). The widget scrolls when the dock is smaller than it,
    so a dock shown never makes the window taller than the screen, out of
    reach, nor squeezes the widget below its minimum."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(Scrolled(widget))
    # Seen or not, tabs included: a dock behind another's tab is isVisible()
    # too, and Compare and Why there kept computing for every pointer move.
    # (Connected first, so every view's own visibilityChanged slot sees it.)
    dock.visibilityChanged.connect(lambda seen: dock.setProperty(SEEN, seen))
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    others = [d for d in window.findChildren(QDockWidget) if d is not dock]
    window.addDockWidget(bottom, dock)
    # Tabs, not side by side: Why opened beside Compare got a 60 px sliver.
    # A dock shown comes to the front (drag its tab out to see two at once).
    first = next((d for d in others if window.dockWidgetArea(d) == bottom), None)
    if first is not None:
        window.tabifyDockWidget(first, dock)
    # Only when the user opens it (`toggled` also fires when a restored dock
    # is first shown, and the last one would take the saved front tab).
    dock.toggleViewAction().triggered.connect(
        lambda shown: shown and QTimer.singleShot(0, dock.raise_)  # once shown
    )
    dock.hide()
    return dock
