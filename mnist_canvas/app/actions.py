"""The window's actions (Qt's standard shortcuts), its menus and its tool bar.

The actions are created unconnected; the window connects each to what it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QToolBar,
    QWidget,
)
from shiboken6 import isValid

Key = QKeySequence.StandardKey


@dataclass
class Actions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    export_png: QAction
    export_input: QAction
    import_model: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    clear: QAction
    eraser: QAction
    compare: QAction
    train: QAction
    about: QAction


def _action(parent, text: str, shortcut=None, checkable: bool = False) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.setCheckable(checkable)
    return action


def create_actions(
    window: QMainWindow, undo_stack: QUndoStack, compare_dock: QDockWidget
) -> Actions:
    undo = undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(Key.Undo)
    redo = undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcut(Key.Redo)
    compare = compare_dock.toggleViewAction()
    compare.setText("&Compare Models")
    compare.setShortcut(QKeySequence("Ctrl+M"))
    return Actions(
        new=_action(window, "&New", Key.New),
        open=_action(window, "&Open…", Key.Open),
        save=_action(window, "&Save", Key.Save),
        save_as=_action(window, "Save &As…", Key.SaveAs),
        export_png=_action(window, "Export Drawing as &PNG…"),
        export_input=_action(window, "Export &Model Input…"),
        import_model=_action(window, "&Import Model…", QKeySequence("Ctrl+I")),
        quit=_action(window, "&Quit", Key.Quit),
        undo=undo,
        redo=redo,
        clear=_action(window, "&Clear", QKeySequence("Ctrl+Backspace")),
        eraser=_action(window, "&Eraser", QKeySequence("E"), checkable=True),
        compare=compare,
        train=_action(window, "&Train a Model…", QKeySequence("Ctrl+T")),
        about=_action(window, "&About This Model…"),
    )


def build_menus(window: QMainWindow, a: Actions) -> None:
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    file_menu.addActions([a.new, a.open, a.save, a.save_as])
    file_menu.addSeparator()
    file_menu.addActions([a.export_png, a.export_input])
    file_menu.addAction(a.import_model)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    menus.addMenu("&Edit").addActions([a.undo, a.redo, a.clear, a.eraser])
    menus.addMenu("&View").addAction(a.compare)
    menus.addMenu("&Training").addAction(a.train)
    menus.addMenu("&Diagnose")  # filled by the views in features.py
    menus.addMenu("&Help").addAction(a.about)


def menu(window: QMainWindow, title: str) -> QMenu:
    """The window's top-level menu called `title` (e.g. "&Diagnose")."""
    for action in window.menuBar().actions():
        if action.text() == title and action.menu() is not None:
            return action.menu()
    raise KeyError(f"no menu {title!r}")


def build_toolbar(
    window: QMainWindow, a: Actions, picker: QWidget, brush: QWidget
) -> QToolBar:
    bar = QToolBar("Tools", window)
    bar.setObjectName("tools")
    bar.setMovable(False)
    bar.addWidget(QLabel(" Model "))
    bar.addWidget(picker)
    bar.addSeparator()
    bar.addWidget(QLabel(" Brush "))
    bar.addWidget(brush)
    bar.addAction(a.eraser)
    bar.addSeparator()
    bar.addActions([_steady(a.undo, "Undo"), _steady(a.redo, "Redo")])
    bar.addActions([a.clear, a.compare])
    window.addToolBar(bar)
    return bar


class _Steady(QAction):
    """A tool bar twin of `action` whose label never changes: the menu's
    "Undo Open Pen digits item 1282" made the tool bar jump; what it undoes
    is in the twin's tooltip."""

    def __init__(self, action: QAction, label: str):
        super().__init__(label, action.parent())
        self.action = action
        self.triggered.connect(action.trigger)
        action.changed.connect(self.follow)  # a slot of the twin: gone with it
        self.follow()

    def follow(self) -> None:
        if not isValid(self.action):  # the window is closing
            return
        self.setEnabled(self.action.isEnabled())
        self.setToolTip(self.action.text().replace("&", ""))


def _steady(action: QAction, label: str) -> QAction:
    return _Steady(action, label)
