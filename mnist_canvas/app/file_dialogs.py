"""File dialogs that open where the user last picked a file in this session,
else in their Documents folder (Qt's default, the folder the app was started
from, is rarely where a person keeps digits)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_last: Path | None = None  # the folder of the file last picked


def start_folder() -> Path:
    if _last is not None and _last.is_dir():
        return _last
    documents = Path(
        QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        or Path.home()
    )
    return documents if documents.is_dir() else Path.home()


def _picked(path: str) -> str:
    global _last
    if path:
        _last = Path(path).parent
    return path


def open_file(parent: QWidget | None, title: str, filters: str) -> str:
    """A file to open, or "" if the user cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(start_folder()), filters)
    return _picked(path)


def save_file(parent: QWidget | None, title: str, name: str, filters: str) -> str:
    """A file to write (proposed: `name`), or "" if the user cancels."""
    path, _ = QFileDialog.getSaveFileName(
        parent, title, str(start_folder() / name), filters
    )
    return _picked(path)
