"""View ▸ Show Why (Ctrl+Shift+W), beside Compare and My Digits: the Why
dock's menu entry. The views (and pyqtgraph, which they plot with) are loaded
when the dock is first shown, not at start-up."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow

from .actions import menu
from .layout import Scrolled, side_dock


class LazyWhy:
    """The Why dock; `why.Why` and its panel are made on first use."""

    def __init__(self, window: QMainWindow):
        self.window = window
        self.dock = side_dock(
            window, "Why: evidence, look-alikes, what-if", "why", None
        )
        self.built = None
        self.dock.visibilityChanged.connect(lambda visible: visible and self.build())

    def build(self):
        if self.built is None:
            from .why import Why, WhyPanel

            panel = WhyPanel()
            self.dock.setWidget(Scrolled(panel))
            self.built = Why(self.window, panel, self.dock)
            if self.dock.isVisible():
                self.built._shown(True)  # it missed the signal that made it
        return self.built

    def stop(self) -> None:
        if self.built is not None:
            self.built.stop()

    def __getattr__(self, name: str):
        return getattr(self.build(), name)


def install(window: QMainWindow) -> LazyWhy:
    window.why = LazyWhy(window)
    action = window.why.dock.toggleViewAction()
    action.setText("Show &Why")
    action.setStatusTip(
        "Which pixels decided it, similar training digits, what-if probes"
    )
    action.setShortcut(QKeySequence("Ctrl+Shift+W"))
    menu(window, "&View").addAction(action)
    return window.why
