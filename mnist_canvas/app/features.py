"""Views that plug into the window after it is built.

Each installer takes the window and adds its own docks, actions (in the menus
of `actions.menu`) and connections; it reads the window's public parts: the
catalogue, the predictor and its `results`, the canvas, the pipeline strip's
switches, `active_model()` and the status bar. What an installer returns
may say what it is still doing (`busy()`: a sentence, or None) and must stop
its background work when the window closes (`stop()`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow

from . import (
    diagnose_action,
    explorer_action,
    help_pages,
    model_recipe,
    my_digits,
    why_action,
)

INSTALLERS: list[Callable[[QMainWindow], object]] = [
    model_recipe.install,
    explorer_action.install,
    why_action.install,
    my_digits.install,
    diagnose_action.install,
    help_pages.install,  # last: it lists the others' shortcuts
]


def install_all(window: QMainWindow) -> list:
    """Install every view; the objects that do background work."""
    installed = (install(window) for install in INSTALLERS)
    return [view for view in installed if hasattr(view, "stop")]


def busy(views: list) -> list[str]:
    """What the views are still doing that closing the window would stop."""
    doing = (getattr(view, "busy", lambda: None)() for view in views)
    return [sentence for sentence in doing if sentence]


def stop_all(views: list) -> None:
    for view in views:
        view.stop()
