"""Diagnose ▸ Explore Misreadings… (Ctrl+E): the explorer's menu entry; the
window (`explorer.Explorer`) is made when first asked for and kept."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow

from .actions import menu
from .explorer import Explorer


def open_explorer(window: QMainWindow) -> Explorer:
    explorer = getattr(window, "explorer", None)
    if explorer is None:
        explorer = window.explorer = Explorer(window)
        place_beside_canvas(explorer, window)
    explorer.refresh_choices()
    explorer.show()
    explorer.raise_()
    explorer.activateWindow()
    explorer.read()
    return explorer


def place_beside_canvas(explorer, window: QMainWindow) -> None:
    """Put the explorer right of the canvas, not over it: the digit it opens
    shows there (on a screen too narrow for both, as far right as it goes)."""
    screen = window.screen().availableGeometry()
    canvas = window.canvas
    left = canvas.mapToGlobal(QPoint(canvas.width(), 0)).x() + 8
    width = max(explorer.minimumSizeHint().width(), screen.right() - left)
    width = min(width, explorer.width(), screen.width())
    x = max(screen.left(), min(left, screen.right() - width))
    explorer.setGeometry(x, window.geometry().top(), width, explorer.height())


def install(window: QMainWindow) -> None:
    action = menu(window, "&Diagnose").addAction("Explore &Misreadings…")
    action.setShortcut(QKeySequence("Ctrl+E"))
    action.triggered.connect(lambda: open_explorer(window))
