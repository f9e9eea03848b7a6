"""The app's saved settings, each value checked when read.

A settings file is the user's to edit (or a disk's to damage): every value is
checked and clamped, and one that cannot be read falls back to its default
while the others are kept.
"""

from __future__ import annotations

import json
import math

from PySide6.QtCore import QByteArray, QSettings

from ..files import parse_json
from ..models.registry import DEFAULT_MODEL
from ..pipeline.steps import switches as default_switches

BRUSH_RANGE = (2, 60)
BRUSH_DEFAULT = 18


def _brush(value: object) -> int:
    try:
        number = float(str(value))
    except ValueError:
        return BRUSH_DEFAULT
    if not math.isfinite(number):
        return BRUSH_DEFAULT
    low, high = BRUSH_RANGE
    return min(max(round(number), low), high)


def _switches(value: object) -> dict[str, bool]:
    try:
        saved = parse_json(value, "switches") if isinstance(value, str) else None
    except ValueError:  # deep nesting included: a start must never fail here
        saved = None
    if not isinstance(saved, dict):
        return {}
    known = default_switches()
    return {k: v for k, v in saved.items() if k in known and isinstance(v, bool)}


class AppSettings:
    """Typed reading and writing of the values the window keeps."""

    def __init__(self, settings: QSettings | None = None):
        self.store = settings if settings is not None else QSettings()

    def brush(self) -> int:
        return _brush(self.store.value("brush", BRUSH_DEFAULT))

    def set_brush(self, value: int) -> None:
        self.store.setValue("brush", int(value))

    def switches(self) -> dict[str, bool]:
        """The saved step switches that name known steps (maybe not all)."""
        return _switches(self.store.value("switches", "{}"))

    def set_switches(self, switches: dict[str, bool]) -> None:
        self.store.setValue("switches", json.dumps(switches))

    def model(self) -> str:
        value = self.store.value("model", DEFAULT_MODEL)
        return value if isinstance(value, str) and value else DEFAULT_MODEL

    def set_model(self, name: str | None) -> None:
        if name:
            self.store.setValue("model", name)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) else None

    def geometry(self) -> QByteArray | None:
        return self._bytes("geometry")

    def set_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue("geometry", geometry)

    def window_state(self) -> QByteArray | None:
        """The docks that were open, where and how large (QMainWindow's
        saveState; Qt refuses one it cannot read)."""
        return self._bytes("window_state")

    def set_window_state(self, state: QByteArray) -> None:
        self.store.setValue("window_state", state)

    def mnist_dir(self, default: str = "") -> str:
        value = self.store.value("mnist_dir", default)
        return value if isinstance(value, str) else default

    def set_mnist_dir(self, path: str) -> None:
        self.store.setValue("mnist_dir", path)
