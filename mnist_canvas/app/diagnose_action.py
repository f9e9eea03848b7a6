"""Diagnose ▸ Diagnose This Model…: the menu entry; the window
(`diagnose_window.DiagnoseWindow`) is made when first asked for and kept."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from .actions import menu
from .diagnose_window import DiagnoseWindow


class DiagnoseFeature:
    def __init__(self, window: QMainWindow):
        self.window_ = window
        self.view: DiagnoseWindow | None = None

    def open(self) -> DiagnoseWindow:
        if self.view is None:
            self.view = DiagnoseWindow(self.window_)
        self.view.refresh_choices()
        self.view.show()
        self.view.raise_()
        return self.view

    def busy(self) -> str | None:
        return None if self.view is None else self.view.busy()

    def stop(self) -> None:
        if self.view is not None:
            self.view.stop()


def install(window: QMainWindow) -> DiagnoseFeature:
    feature = window.diagnose = DiagnoseFeature(window)
    action = menu(window, "&Diagnose").addAction("Diagnose This &Model…")
    action.triggered.connect(feature.open)
    return feature
