"""Diagnose ▸ Explore Misreadings… (Ctrl+E): the explorer's menu entry; the
window (`explorer.Explorer`) is made when first asked for and kept."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow

from .actions import menu
from .explorer import Explorer


def open_explorer(window: QMainWindow) -> Explorer:
    explorer = getattr(window, "explorer", None)
    if explorer is None:
        explorer = window.explorer = Explorer(window)
    explorer.refresh_choices()
    explorer.show()
    explorer.raise_()
    explorer.read()
    return explorer


def install(window: QMainWindow) -> None:
    action = menu(window, "&Diagnose").addAction("Explore &Misreadings…")
    action.setShortcut(QKeySequence("Ctrl+E"))
    action.triggered.connect(lambda: open_explorer(window))
