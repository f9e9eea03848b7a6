"""The main window: canvas, probabilities, the model's eye, the pipeline strip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..checkpoint import SUFFIX, CheckpointError, read_metadata
from ..classifier import shipped_weights_dir
from ..data import default_mnist_dir
from ..drawing import load_drawing, save_drawing
from ..models import DEFAULT_MODEL, REGISTRY
from ..pictures import load_picture, save_gray_png
from ..preprocess import switches as default_switches
from .canvas import Canvas
from .compare import CompareView
from .model_eye import ModelEyeView
from .pipeline_strip import PipelineStrip
from .predictor import Predictor, Results
from .probabilities import ProbabilityView
from .training_dialog import TrainingDialog

DRAWING_FILTER = "Drawings (*.json)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"


def user_models_dir() -> Path:
    """Where models trained by this user go (never the shipped folder)."""
    base = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation
    )
    return Path(base) / "models"


def find_models() -> tuple[dict[str, Path], dict[str, str]]:
    """Usable models by name (shipped first, default first) and unusable ones
    with the reason, so the window can offer the rest."""
    files = sorted(shipped_weights_dir().glob(f"*{SUFFIX}"))
    order = {
        name: i for i, name in enumerate(dict.fromkeys([DEFAULT_MODEL, *REGISTRY]))
    }
    files.sort(key=lambda p: (order.get(p.stem, 99), p.stem))
    files += sorted(user_models_dir().glob(f"*{SUFFIX}"))
    usable, unusable = {}, {}
    for path in files:
        try:
            read_metadata(path)
            usable.setdefault(path.stem, path)
        except CheckpointError as error:
            unusable[path.stem] = str(error)
    return usable, unusable


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, models=None):
        super().__init__()
        self.setWindowTitle("mnist-canvas")
        self.settings = settings or QSettings()
        self.models, self.unusable = models if models is not None else find_models()
        self.predictor = Predictor(self.models, parent=self)
        self.predictor.results.connect(self._show_results)
        self.file_path: Path | None = None
        self.last_serial = 0  # the newest prediction request
        self.training: TrainingDialog | None = None
        self._build_widgets()
        self._build_actions()
        self._restore_settings()
        self.canvas.drawingChanged.connect(lambda _: self.request_prediction())
        self.canvas.undo_stack.cleanChanged.connect(self._update_title)
        self.strip.switchesChanged.connect(lambda _: self.request_prediction())
        self._report_unusable()
        self.request_prediction()

    # -- layout -------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.canvas = Canvas(parent=self)
        self.probabilities = ProbabilityView()
        self.eye = ModelEyeView()
        self.strip = PipelineStrip()
        self.compare = CompareView()

        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(1, 1, 1, 1)
        frame_layout.addWidget(self.canvas)

        eye_box = QGroupBox("Model's eye: the exact 28×28 input")
        QVBoxLayout(eye_box).addWidget(self.eye)
        left = QVBoxLayout()
        left.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
        left.addWidget(eye_box, 1)

        top = QHBoxLayout()
        top.addLayout(left, 0)
        top.addWidget(self.probabilities, 1)

        strip_box = QGroupBox(
            "Preprocessing: switch a step off to see what it prevents"
        )
        QVBoxLayout(strip_box).addWidget(self.strip)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top, 1)
        layout.addWidget(strip_box)
        self.setCentralWidget(central)

        self.compare_dock = QDockWidget("Compare models", self)
        self.compare_dock.setObjectName("compare")
        self.compare_dock.setWidget(self.compare)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.compare_dock)
        self.compare_dock.hide()
        self.compare_dock.visibilityChanged.connect(lambda _: self.request_prediction())

        self.model_picker = QComboBox()
        self.model_picker.setToolTip("The model that reads your drawing")
        for name, path in self.models.items():
            self.model_picker.addItem(name, str(path))
        self.model_picker.currentIndexChanged.connect(self._model_changed)
        self.brush = QSpinBox()
        self.brush.setRange(2, 60)
        self.brush.setSuffix(" px")
        self.brush.setToolTip("Brush width")
        self.brush.valueChanged.connect(self._brush_changed)

    def _build_actions(self) -> None:
        stack = self.canvas.undo_stack

        def action(text, slot, shortcut=None, checkable=False):
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(shortcut)
            a.setCheckable(checkable)
            a.triggered.connect(slot)
            return a

        self.new_action = action("&New", self.new_drawing, QKeySequence.StandardKey.New)
        self.open_action = action(
            "&Open…", self.open_file, QKeySequence.StandardKey.Open
        )
        self.save_action = action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = action(
            "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs
        )
        self.export_png_action = action("Export Drawing as &PNG…", self.export_png)
        self.export_input_action = action("Export &Model Input…", self.export_input)
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.clear_action = action(
            "&Clear", self.canvas.clear, QKeySequence("Ctrl+Backspace")
        )
        self.eraser_action = action(
            "&Eraser", self._eraser_toggled, QKeySequence("E"), True
        )
        self.compare_action = self.compare_dock.toggleViewAction()
        self.compare_action.setText("&Compare Models")
        self.compare_action.setShortcut(QKeySequence("Ctrl+M"))
        self.about_action = action("&About This Model…", self.about)
        self.train_action = action(
            "&Train a Model…", self.open_training, QKeySequence("Ctrl+T")
        )

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for a in (
            self.new_action,
            self.open_action,
            self.save_action,
            self.save_as_action,
        ):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.export_png_action)
        file_menu.addAction(self.export_input_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = menus.addMenu("&Edit")
        for a in (
            self.undo_action,
            self.redo_action,
            self.clear_action,
            self.eraser_action,
        ):
            edit.addAction(a)
        menus.addMenu("&View").addAction(self.compare_action)
        menus.addMenu("&Training").addAction(self.train_action)
        menus.addMenu("&Help").addAction(self.about_action)

        bar = QToolBar("Tools")
        bar.setObjectName("tools")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Model "))
        bar.addWidget(self.model_picker)
        bar.addSeparator()
        bar.addWidget(QLabel(" Brush "))
        bar.addWidget(self.brush)
        bar.addAction(self.eraser_action)
        bar.addSeparator()
        for a in (
            self.undo_action,
            self.redo_action,
            self.clear_action,
            self.compare_action,
        ):
            bar.addAction(a)
        self.addToolBar(bar)

    # -- predictions ----------------------------------------------------------------
    def active_model(self) -> str | None:
        return self.model_picker.currentText() or None

    def request_prediction(self) -> int | None:
        active = self.active_model()
        if active is None:
            self.probabilities.show_probabilities(
                None, 0, "No usable model: see File ▸ Open or retrain"
            )
            return None
        models = [active]
        if self.compare_dock.isVisible():
            models += [name for name in self.models if name != active]
        self.last_serial = self.predictor.submit(
            self.canvas.source(), self.strip.switches(), models
        )
        return self.last_serial

    def _show_results(self, results: Results) -> None:
        active = self.active_model()
        for name, message in results.errors.items():
            self._mark_unusable(name, message)
        prediction = results.predictions.get(active)
        if prediction is None:
            self.probabilities.show_probabilities(None, results.serial, "No prediction")
            return
        if prediction.is_empty:
            self.probabilities.show_probabilities(None, results.serial, "Draw a digit")
        else:
            self.probabilities.show_probabilities(
                prediction.probabilities, results.serial
            )
        self.eye.show_input(prediction.preprocessed.input)
        self.strip.show_stages(prediction.preprocessed.stages)
        if self.compare_dock.isVisible():
            rows = []
            for name in self.models:
                p = results.predictions.get(name)
                note = results.errors.get(name, "empty drawing")
                rows.append((name, None if p is None else p.probabilities, note))
            self.compare.show_rows(rows)

    def _model_changed(self) -> None:
        self.settings.setValue("model", self.active_model())
        self.request_prediction()

    def _mark_unusable(self, name: str, message: str) -> None:
        self.unusable[name] = message
        self.models.pop(name, None)
        index = self.model_picker.findText(name)
        if index >= 0:
            self.model_picker.removeItem(index)
        self.statusBar().showMessage(f"Model {name} cannot be used: {message}")
        QMessageBox.warning(
            self,
            "Model cannot be used",
            f"{message}\n\nThe other models are still available in the Model list.",
        )

    def _report_unusable(self) -> None:
        """Say which model files cannot be used and why, once the window is up."""
        if not self.unusable:
            return
        lines = "\n".join(f"• {msg}" for msg in self.unusable.values())
        self.statusBar().showMessage(
            f"{len(self.unusable)} model file(s) cannot be used: see Model's tooltip"
        )
        self.model_picker.setToolTip(f"Unusable model files:\n{lines}")
        available = ", ".join(self.models) or "none"
        QTimer.singleShot(
            0,
            lambda: QMessageBox.warning(
                self,
                "Some models cannot be used",
                f"{lines}\n\nAvailable models: {available}.",
            ),
        )

    # -- training -------------------------------------------------------------------
    def open_training(self) -> TrainingDialog:
        if self.training is None:
            default = default_mnist_dir()
            mnist = str(self.settings.value("mnist_dir", str(default or "")))
            self.training = TrainingDialog(user_models_dir(), mnist, self)
            self.training.modelTrained.connect(self.add_model)
            self.training.modelChosen.connect(lambda p: self.add_model(p, True))
            self.training.mnistDirChanged.connect(
                lambda folder: self.settings.setValue("mnist_dir", folder)
            )
        current = self._current_metrics()
        self.training.set_current_model(current.pop("name", None), current)
        self.training.show()
        self.training.raise_()
        return self.training

    def _current_metrics(self) -> dict:
        name = self.active_model()
        if name is None:
            return {}
        try:
            metrics = read_metadata(self.models[name]).get("metrics", {})
        except CheckpointError:
            return {}
        return {"name": name, **metrics}

    def add_model(self, path: str, activate: bool = False) -> None:
        """Offer a newly trained model in the picker (and make it active)."""
        path = Path(path)
        name = path.stem
        if name not in self.models:
            self.models[name] = path
            self.predictor.add_model(name, path)
            self.model_picker.addItem(name, str(path))
        self.statusBar().showMessage(f"New model {name} is in the Model list", 8000)
        if activate:
            self.model_picker.setCurrentText(name)

    # -- tools ------------------------------------------------------------------------
    def _brush_changed(self, value: int) -> None:
        self.canvas.brush = float(value)
        self.settings.setValue("brush", value)

    def _eraser_toggled(self, on: bool) -> None:
        self.canvas.erasing = on

    # -- files ------------------------------------------------------------------------
    def new_drawing(self) -> None:
        if self.confirm_discard():
            self.canvas.clear()
            self.canvas.undo_stack.setClean()
            self.file_path = None
            self._update_title()

    def open_file(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open", "", f"{DRAWING_FILTER};;{IMAGE_FILTER}"
            )
            if not path:
                return False
        path = Path(path)
        try:
            if path.suffix.lower() == ".json":
                self.canvas.set_drawing(load_drawing(path))
                self.file_path = path
            else:
                size = (
                    round(self.canvas.drawing.width),
                    round(self.canvas.drawing.height),
                )
                self.canvas.set_picture(load_picture(path, size))
                self.file_path = None
        except ValueError as error:
            QMessageBox.warning(
                self, "Cannot open", f"{error}\n\nYour drawing is unchanged."
            )
            return False
        self.canvas.undo_stack.setClean()
        self._update_title()
        return True

    def save(self) -> bool:
        if self.file_path is None:
            return self.save_as()
        return self._save_to(self.file_path)

    def save_as(self, path: str | None = None) -> bool:
        path = self._save_path(path, "Save Drawing", "digit.json", DRAWING_FILTER)
        return path is not None and self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        try:
            save_drawing(path, self.canvas.drawing)
        except OSError as error:
            QMessageBox.warning(self, "Not saved", f"{path}: {error}")
            return False
        self.file_path = path
        self.canvas.undo_stack.setClean()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        self._update_title()
        return True

    def _save_path(self, path: str | None, title: str, default: str, filters: str):
        """The given path, or one the user picks (None if they cancel)."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, title, default, filters)
        return Path(path) if path else None

    def export_png(self, path: str | None = None) -> bool:
        path = self._save_path(path, "Export PNG", "digit.png", "PNG (*.png)")
        if path is None:
            return False
        tmp = path.with_name(f".{path.name}.part")
        if not self.canvas.to_image().save(str(tmp), "PNG"):
            QMessageBox.warning(self, "Not exported", f"{path} could not be written")
            return False
        tmp.replace(path)
        self.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def export_input(self, path: str | None = None) -> bool:
        """Save the model's exact 28×28 input: .npy (floats) or .png (0–255)."""
        pixels = self.eye.pixels
        if pixels is None:
            QMessageBox.information(self, "Nothing to export", "Draw a digit first.")
            return False
        path = self._save_path(
            path, "Export Model Input", "input.npy", "NumPy (*.npy);;PNG (*.png)"
        )
        if path is None:
            return False
        if path.suffix.lower() == ".png":
            low, high = float(pixels.min()), float(pixels.max())
            save_gray_png(path, (pixels - low) * (255.0 / max(high - low, 1e-9)))
        else:
            tmp = path.with_name(f".{path.stem}.part.npy")
            np.save(tmp, pixels)
            tmp.replace(path.with_suffix(".npy"))
        self.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def about(self) -> None:
        QMessageBox.about(self, "About this model", self.model_summary())

    def model_summary(self) -> str:
        name = self.active_model()
        if name is None:
            return "No model is loaded."
        meta = read_metadata(self.models[name])
        metrics = meta.get("metrics", {})
        lines = [
            f"<b>{name}</b> ({meta['model']['arch']}, "
            f"{meta.get('parameters', '?'):,} parameters)"
        ]
        if "mnist_test_accuracy" in metrics:
            lines.append(f"MNIST test accuracy: {metrics['mnist_test_accuracy']:.2%}")
        if "pen_dev_accuracy" in metrics:
            lines.append(f"Pen-drawn digits (dev): {metrics['pen_dev_accuracy']:.2%}")
        training = meta.get("training", {})
        lines.append(
            f"Trained {meta.get('epochs_run', '?')} epochs, augmentation: "
            f"{', '.join(training.get('augment', [])) or 'none'}"
        )
        lines.append(f"Data: {meta.get('data', {}).get('mnist', '?')}")
        lines.append(f"Command: <code>{meta.get('command', '?')}</code>")
        lines.append(f"Date: {meta.get('date', '?')}")
        return "<br>".join(lines)

    # -- settings and closing ----------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.brush.setValue(int(self.settings.value("brush", 18)))
        self._brush_changed(self.brush.value())
        try:
            saved = json.loads(str(self.settings.value("switches", "{}")))
        except json.JSONDecodeError:
            saved = {}
        known = default_switches()
        self.strip.set_switches({k: bool(v) for k, v in saved.items() if k in known})
        self.strip.switchesChanged.connect(
            lambda s: self.settings.setValue("switches", json.dumps(s))
        )
        model = self.settings.value("model", DEFAULT_MODEL)
        index = self.model_picker.findText(str(model))
        if index < 0:
            index = self.model_picker.findText(DEFAULT_MODEL)
        self.model_picker.setCurrentIndex(max(index, 0))

    def _update_title(self) -> None:
        if not shiboken6.isValid(self.canvas.undo_stack):
            return  # Qt is tearing the window down
        name = self.file_path.name if self.file_path else "Untitled"
        dirty = "" if self.canvas.undo_stack.isClean() else " •"
        self.setWindowTitle(f"{name}{dirty} — mnist-canvas")

    def has_unsaved_work(self) -> bool:
        return not self.canvas.undo_stack.isClean() and not self.canvas.drawing.is_empty

    def confirm_discard(self) -> bool:
        """True when it is fine to drop the drawing (saved, or the user said so)."""
        if not self.has_unsaved_work():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved drawing",
            "Save your drawing first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.training is not None and self.training.is_training():
            answer = QMessageBox.question(
                self,
                "Training in progress",
                "A model is being trained. Stop the training and quit? "
                "(Nothing half-trained is saved.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if not self.confirm_discard():
            event.ignore()
            return
        if self.training is not None:
            self.training.stop_training()
        self.settings.setValue("geometry", self.saveGeometry())
        self.predictor.stop()
        event.accept()
