"""The document: the canvas's content as a file (new, open, save, export).

It knows the current file and whether the drawing has unsaved changes (the
undo stack's clean state), asks before anything unsaved would be dropped, and
turns every file problem into a message; the drawing is never lost to one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ..files import atomic_write
from ..ink.drawing import load_drawing, save_drawing
from ..ink.pictures import load_picture, save_gray_png
from .canvas import Canvas
from .file_dialogs import open_file, save_file

DRAWING_FILTER = "Drawings (*.json)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"
Buttons = QMessageBox.StandardButton


class Document(QObject):
    titleChanged = Signal(str)  # "name • — mnist-canvas"
    status = Signal(str)  # a short note for the status bar

    def __init__(self, canvas: Canvas, parent: QWidget):
        super().__init__(parent)
        self.canvas = canvas
        self.widget = parent  # message boxes and file dialogs sit on it
        self.file_path: Path | None = None
        canvas.undo_stack.cleanChanged.connect(self._emit_title)

    # -- state --
    def title(self) -> str:
        name = self.file_path.name if self.file_path else "Untitled"
        dirty = "" if self.canvas.undo_stack.isClean() else " •"
        return f"{name}{dirty} — mnist-canvas"

    def has_unsaved_work(self) -> bool:
        return not self.canvas.undo_stack.isClean() and not self.canvas.is_empty()

    def confirm_discard(self) -> bool:
        """True when it is fine to drop the drawing (saved, or the user said so)."""
        if not self.has_unsaved_work():
            return True
        answer = QMessageBox.question(
            self.widget,
            "Unsaved drawing",
            "Save your drawing first?",
            Buttons.Save | Buttons.Discard | Buttons.Cancel,
        )
        if answer == Buttons.Save:
            return self.save()
        return answer == Buttons.Discard

    # -- new and open --
    def new(self) -> bool:
        if not self.confirm_discard():
            return False
        self.canvas.clear()
        self._mark_clean(None)
        return True

    def open(self, path: str | None = None, ask: bool = True) -> bool:
        """Open a drawing (.json) or a picture; a bad file changes nothing."""
        if not path:
            path = open_file(self.widget, "Open", f"{DRAWING_FILTER};;{IMAGE_FILTER}")
            if not path:
                return False
        path = Path(path)
        try:
            content = self._read(path)
        except Exception as error:  # a file can hold anything: say what, keep work
            self._warn("Cannot open", f"{error}\n\nYour drawing is unchanged.")
            return False
        if ask and not self.confirm_discard():
            return False
        if isinstance(content, np.ndarray):
            self.canvas.set_picture(content)
            self._mark_clean(None)
        else:
            self.canvas.set_drawing(content)
            self._mark_clean(path)
        return True

    def _read(self, path: Path):
        if path.suffix.lower() == ".json":
            return load_drawing(path)
        size = (round(self.canvas.drawing.width), round(self.canvas.drawing.height))
        return load_picture(path, size)

    # -- save --
    def save(self) -> bool:
        if self.canvas.picture is not None:
            return self._offer_png()
        if self.file_path is None:
            return self.save_as()
        return self._save_to(self.file_path)

    def save_as(self, path: str | None = None) -> bool:
        if self.canvas.picture is not None:
            return self._offer_png()
        path = self._save_path(path, "Save Drawing", "digit.json", DRAWING_FILTER)
        path = path and self._with_suffix(path, (".json",))
        return path is not None and self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        try:
            save_drawing(path, self.canvas.drawing)
        except (OSError, ValueError) as error:
            self._warn("Not saved", f"{path}: {error}")
            return False
        self._mark_clean(path)
        self.status.emit(f"Saved {path}")
        return True

    def _offer_png(self) -> bool:
        """The canvas shows a picture (an image opened, a digit from the
        explorer or Why, probes applied): a drawing file keeps strokes only,
        and saving would write an empty drawing, over the file opened before
        perhaps. Offer a PNG instead."""
        answer = QMessageBox.question(
            self.widget,
            "Save a picture",
            "The canvas shows a picture (opened from a file, the explorer or "
            "Why), which a drawing file cannot hold: it keeps pen strokes "
            "only. Export the canvas as a PNG instead?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes and self.export_png()

    # -- export --
    def export_png(self, path: str | None = None) -> bool:
        path = self._save_path(path, "Export PNG", "digit.png", "PNG (*.png)")
        if path is None:
            return False
        try:
            with atomic_write(path, keep_read_only=True) as tmp:
                if not self.canvas.to_image().save(str(tmp), "PNG"):
                    raise OSError("the file could not be written")
        except OSError as error:
            return self._not_exported(path, error)
        self.status.emit(f"Exported {path}")
        return True

    def export_input(self, pixels: np.ndarray | None, path: str | None = None) -> bool:
        """Save the model's exact 28×28 input: .npy (floats) or .png (0–255)."""
        if pixels is None:
            QMessageBox.information(
                self.widget, "Nothing to export", "Draw a digit first."
            )
            return False
        path = self._save_path(
            path, "Export Model Input", "input.npy", "NumPy (*.npy);;PNG (*.png)"
        )
        path = path and self._with_suffix(path, (".npy", ".png"))
        if path is None:
            return False
        try:
            _write_input(path, pixels)
        except (OSError, ValueError) as error:
            return self._not_exported(path, error)
        self.status.emit(f"Exported {path}")
        return True

    # -- helpers --
    def _save_path(self, path: str | None, title: str, default: str, filters: str):
        """The given path, or one the user picks (None if they cancel)."""
        if not path:
            path = save_file(self.widget, title, default, filters)
        return Path(path) if path else None

    def _with_suffix(self, path: Path, suffixes: tuple[str, ...]) -> Path | None:
        """`path`, or `path` with the first of `suffixes` added when it has none
        of them; None if that adds up to another file the user will not have
        replaced (the dialog asked only about the name typed)."""
        if path.suffix.lower() in suffixes:
            return path
        path = path.with_name(path.name + suffixes[0])
        if path.exists():
            answer = QMessageBox.question(
                self.widget,
                "Replace the file?",
                f"{path} already exists. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        return path

    def _mark_clean(self, path: Path | None) -> None:
        self.file_path = path
        self.canvas.undo_stack.setClean()
        self._emit_title()

    def _emit_title(self) -> None:
        if shiboken6.isValid(self.canvas.undo_stack):  # not while Qt tears down
            self.titleChanged.emit(self.title())

    def _warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.widget, title, text)

    def _not_exported(self, path: Path, error: Exception) -> bool:
        self._warn("Not exported", f"{path} could not be written: {error}")
        return False


def _write_input(path: Path, pixels: np.ndarray) -> None:
    if path.suffix.lower() == ".png":
        low, high = float(pixels.min()), float(pixels.max())
        save_gray_png(path, (pixels - low) * (255.0 / max(high - low, 1e-9)))
        return
    with atomic_write(path, keep_read_only=True) as tmp, open(tmp, "wb") as f:
        np.save(f, pixels)  # a handle: np.save adds ".npy" to a name without it
