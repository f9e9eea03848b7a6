"""Views that plug into the window after it is built.

Each installer takes the window and adds its own docks, actions (in the menus
of `actions.menu`) and connections; it reads the window's public parts: the
catalogue, the predictor and its `results`, the canvas, the pipeline strip's
switches, `active_model()` and the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow

from . import explorer_action, model_recipe, my_digits, why_action

INSTALLERS: list[Callable[[QMainWindow], None]] = [
    model_recipe.install,
    explorer_action.install,
    why_action.install,
    my_digits.install,
]


def install_all(window: QMainWindow) -> None:
    for install in INSTALLERS:
        install(window)
