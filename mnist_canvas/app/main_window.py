"""The main window: it builds the widgets and wires them together, nothing more.

The models come from the catalogue, the file from the document, the menus
from actions, the saved values from settings; each widget lives in its own file.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..data import default_mnist_dir
from ..models.catalogue import Catalogue, user_models_dir
from .about import model_summary
from .actions import build_menus, build_toolbar, create_actions
from .canvas import Canvas
from .compare import CompareView
from .document import Document
from .features import busy, install_all, stop_all
from .import_dialog import OnnxDrop, add_measure_action, open_import
from .layout import (
    FIRST_SIZE,
    SidewaysScroll,
    boxed,
    central_widget,
    showing,
    side_dock,
)
from .model_eye import ModelEyeView
from .model_picker import ModelPicker, warn_broken, warn_unusable
from .pipeline_strip import REPAINT_MS, PipelineStrip
from .predictor import Predictor, Results
from .probabilities import ProbabilityView
from .settings import BRUSH_RANGE, AppSettings
from .steps_note import StepsNote


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, catalogue=None, loader=None):
        super().__init__()
        self.settings = AppSettings(settings)
        if catalogue is None:
            catalogue = Catalogue.scan(user_dir=user_models_dir())
        self.catalogue = catalogue
        extra = {} if loader is None else {"loader": loader}
        self.predictor = Predictor(catalogue, parent=self, **extra)
        self.last_serial = 0  # the newest prediction request
        self.training = None  # the training dialog, made when first opened
        self._shown_once = False
        self._restored_at = None  # the window's size when the docks were
        self._build_widgets()
        self.document = Document(self.canvas, self)
        self.menu_actions = create_actions(
            self, self.canvas.undo_stack, self.compare_dock
        )
        build_menus(self, self.menu_actions)
        build_toolbar(self, self.menu_actions, self.model_picker, self.brush)
        self._restore_settings()
        self._connect()
        self.views = install_all(self)  # explorer, Why, My digits, …
        self._restore_docks()
        self.setWindowTitle(self.document.title())
        self._report_unusable()
        self.request_prediction()

    # -- building and wiring --
    def _build_widgets(self) -> None:
        self.canvas = Canvas(parent=self)
        self.probabilities = ProbabilityView()
        self.eye = ModelEyeView()
        self.strip = PipelineStrip()
        self.compare = CompareView()
        self.model_picker = ModelPicker(self.catalogue)
        self.brush = QSpinBox()
        self.brush.setRange(*BRUSH_RANGE)
        self.brush.setSuffix(" px")
        self.brush.setToolTip("Brush width")

        self.steps_note = StepsNote()
        reading = QWidget()
        reading_layout = QVBoxLayout(reading)
        reading_layout.setContentsMargins(0, 0, 0, 0)
        reading_layout.addWidget(self.steps_note)
        reading_layout.addWidget(self.probabilities, 1)
        self.strip_box = boxed("Preprocessing", SidewaysScroll(self.strip))
        central = central_widget(self.canvas, self.eye, reading, self.strip_box)
        self.setCentralWidget(central)
        self.resize(FIRST_SIZE)  # the saved geometry, if any, comes after
        self.compare_dock = side_dock(self, "Compare models", "compare", self.compare)
        # Stage images cost a render more: while the drawing changes, one request
        # in REPAINT_MS carries them (not a request of its own, which the next
        # pointer move would wait for); once more when it rests.
        self._stages_clock = QElapsedTimer()
        self._stages_due = QTimer(self, singleShot=True, interval=REPAINT_MS)
        self._stages_due.timeout.connect(lambda: self.request_prediction(True))

    def _connect(self) -> None:
        a, doc = self.menu_actions, self.document
        a.new.triggered.connect(doc.new)
        a.open.triggered.connect(lambda: doc.open())
        a.save.triggered.connect(doc.save)
        a.save_as.triggered.connect(lambda: doc.save_as())
        a.export_png.triggered.connect(lambda: doc.export_png())
        a.export_input.triggered.connect(lambda: self.export_input())
        a.quit.triggered.connect(self.close)
        a.clear.triggered.connect(self.canvas.clear)
        a.eraser.toggled.connect(lambda on: setattr(self.canvas, "erasing", on))
        a.train.triggered.connect(self.open_training)
        a.import_model.triggered.connect(lambda: open_import(self))
        self._onnx_drop = OnnxDrop(self, lambda path: open_import(self, path))
        self.measure_action = add_measure_action(self, a.import_model)
        a.about.triggered.connect(self.about)
        doc.titleChanged.connect(self.setWindowTitle)
        doc.status.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.predictor.results.connect(self._show_results)
        self.canvas.drawingChanged.connect(lambda _: self.request_prediction())
        self.strip.switchesChanged.connect(self._switches_changed)
        self.model_picker.modelChosen.connect(self._model_chosen)
        self.brush.valueChanged.connect(self._brush_changed)
        self.compare_dock.visibilityChanged.connect(lambda _: self.request_prediction())

    def _restore_settings(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.brush.setValue(self.settings.brush())
        self.canvas.brush = float(self.brush.value())
        self.model_picker.choose(self.settings.model())

    def _restore_docks(self) -> None:
        """The docks open when the window last closed open again, once every
        view has added its own (each builds itself when first shown)."""
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        self._restored_at = self.size()

    def _restore_docks_again(self) -> None:
        if self.size() != self._restored_at:
            self._restore_docks()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            # Once more when the window has its final size (maximised, say):
            # restored into the smaller one before it, the docks shrank.
            self._shown_once = True
            QTimer.singleShot(0, self._restore_docks_again)

    # -- predictions --
    def active_model(self) -> str | None:
        return self.model_picker.current()

    def request_prediction(self, stages: bool = False) -> int | None:
        active = self.active_model()
        if active is None:
            self.probabilities.show_probabilities(
                None, 0, "No usable model: see Training ▸ Train a Model…"
            )
            return None
        models = [active]
        if showing(self.compare_dock):
            models += [name for name in self.catalogue.usable() if name != active]
        clock = self._stages_clock
        stages = stages or not clock.isValid() or clock.hasExpired(REPAINT_MS)
        self.last_serial = self.predictor.submit(
            self.canvas.source(), self.strip.switches(), models, stages
        )
        if stages:
            clock.start()
            self._stages_due.stop()
        else:
            self._stages_due.start()
        return self.last_serial

    def _show_results(self, results: Results) -> None:
        active = self.active_model()
        prediction = results.predictions.get(active)
        if results.problem is not None:  # the drawing's fault, not the models'
            note = f"This drawing cannot be read: {results.problem}"
            self.probabilities.show_probabilities(None, results.serial, note)
            self.eye.show_input(None)  # not the last drawing's input
        elif prediction is None:
            note = results.errors.get(active, "No prediction")
            self.probabilities.show_probabilities(None, results.serial, note)
        else:
            empty = prediction.is_empty
            p = None if empty else prediction.probabilities
            values = prediction.preprocessed.input
            strays = None if empty else self.model_recipe.outside(values)
            self.probabilities.show_probabilities(
                p, results.serial, "Draw a digit", strays
            )
            self.eye.show_input(values)
            if prediction.preprocessed.stages:
                self.strip.show_stages(prediction.preprocessed.stages)
        if showing(self.compare_dock):
            self.compare.show_results(
                self.catalogue.entries(), results.predictions, results.errors,
                results.problem,
            )  # fmt: skip
        self._drop_broken(results.errors)

    def _drop_broken(self, errors: dict[str, str]) -> None:
        """Take models that failed out of the list, with one message for all."""
        broken = {n: m for n, m in errors.items() if self.catalogue.mark_unusable(n, m)}
        if broken:
            self.model_picker.refresh()  # keeps a usable choice: the default
            warn_broken(self, broken)

    def _report_unusable(self) -> None:
        """Say which model files cannot be used and why, once the window is up."""
        unusable = self.catalogue.unusable()
        if unusable:
            available = list(self.catalogue.usable())
            QTimer.singleShot(0, lambda: warn_unusable(self, unusable, available))

    # -- small slots --
    def _model_chosen(self, name: str) -> None:
        self.settings.set_model(name)
        self.request_prediction()

    def _switches_changed(self, switches: dict) -> None:
        self.request_prediction()  # model_recipe saves them

    def _brush_changed(self, value: int) -> None:
        self.canvas.brush = float(value)
        self.settings.set_brush(value)

    def export_input(self, path: str | None = None) -> bool:
        return self.document.export_input(self.eye.pixels, path)

    def about(self) -> None:
        QMessageBox.about(self, "About this model", self.model_summary())

    def model_summary(self) -> str:
        return model_summary(self.catalogue.get(self.active_model() or ""))

    # -- training --
    def open_training(self):
        if self.training is None:
            mnist = self.settings.mnist_dir(str(default_mnist_dir() or ""))
            from .training_dialog import TrainingDialog  # loads torch: only now

            self.training = TrainingDialog(user_models_dir(), mnist, self)
            self.training.modelTrained.connect(self.add_model)
            self.training.modelChosen.connect(lambda path: self.add_model(path, True))
            self.training.mnistDirChanged.connect(self.settings.set_mnist_dir)
        entry = self.catalogue.get(self.active_model() or "")
        if entry is not None and entry.usable:
            self.training.set_current_model(entry.name, entry.metrics())
        self.training.show()
        self.training.raise_()
        return self.training

    def add_model(self, path: str, activate: bool = False) -> None:
        """Offer a newly trained model in the picker (and make it active)."""
        entry = self.catalogue.add(path)
        self.model_picker.refresh()
        if not entry.usable:
            QMessageBox.warning(self, "Model cannot be used", entry.problem)
            return
        self.statusBar().showMessage(
            f"New model {entry.name} is in the Model list", 8000
        )
        if activate:
            self.model_picker.choose(entry.name)

    # -- closing --
    def closeEvent(self, event: QCloseEvent) -> None:
        doing = busy(self.views)
        if self.training is not None and self.training.is_training():
            doing.insert(0, "A model is being trained.")
        if doing:
            answer = QMessageBox.question(
                self,
                "Work in progress",
                f"{' '.join(doing)} Stop it and quit? (Nothing half-done is saved.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if not self.document.confirm_discard():
            event.ignore()
            return
        if self.training is not None:
            self.training.stop_training()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.predictor.stop()
        stop_all(self.views)
        event.accept()
