"""Training ▸ Train a Model…: the knobs (`TrainingForm`), live curves, a result.

The run happens in another process (`TrainingRun`): the dialog hands it the
form's `TrainConfig` whole and draws the `Progress` records it sends back.
What the rest of the app may use: the signals `modelTrained(path)`,
`modelChosen(path)` and `mnistDirChanged(folder)`, and the methods
`is_training()`, `stop_training()`, `set_current_model(name, metrics)`.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from ..training import Progress
from .curves import CurvesView
from .training_form import TrainingForm
from .training_run import TrainingRun


class TrainingDialog(QDialog):
    modelTrained = Signal(str)  # a new checkpoint was saved here
    modelChosen = Signal(str)  # the user asked to use this checkpoint now
    mnistDirChanged = Signal(str)  # the user chose another MNIST folder

    def __init__(self, models_dir: Path, mnist_dir: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.models_dir = Path(models_dir)
        self._current: tuple[str, dict] | None = None
        self.run = TrainingRun(self)
        self.run.progress.connect(self._progress)
        self.run.succeeded.connect(self._succeeded)
        self.run.failed.connect(self._failed)
        self.trained_path: str | None = None
        self._started = 0.0
        self._build(mnist_dir)

    # -- what the window uses ------------------------------------------------------
    def is_training(self) -> bool:
        return self.run.is_running()

    def stop_training(self) -> None:
        """Stop a run (nothing half-trained is kept) and wait until it is gone."""
        self.run.wait_stopped()

    def set_current_model(self, name: str | None, metrics: dict) -> None:
        """The model in use, to compare a new one with (checkpoint metric keys)."""
        self._current = (name, dict(metrics)) if name else None

    def mnist_dir(self) -> str:
        return self.data_dir.text().strip()

    # -- layout ------------------------------------------------------------------
    def _build(self, mnist_dir: str) -> None:
        self.form = TrainingForm()
        data = QHBoxLayout()
        self.data_dir = QLineEdit(mnist_dir)
        self.data_dir.setPlaceholderText("folder with the four MNIST IDX files")
        self.data_dir.editingFinished.connect(
            lambda: self.mnistDirChanged.emit(self.mnist_dir())
        )
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        data.addWidget(self.data_dir)
        data.addWidget(browse)
        self.form.form.addRow("MNIST folder", data)

        self.curves = CurvesView()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.status = QLabel("Choose the knobs, then Start.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.run.cancel)
        self.use_button = QPushButton("Use this model")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self._use)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.cancel_button, self.use_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        right = QVBoxLayout()
        right.addWidget(self.curves, 1)
        right.addWidget(self.bar)
        right.addWidget(self.status)
        top = QHBoxLayout()
        top.addWidget(self.form)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "MNIST folder", self.mnist_dir()
        )
        if folder:
            self.data_dir.setText(folder)
            self.mnistDirChanged.emit(folder)

    def output_path(self) -> Path:
        """A new file in the user's models folder; never an existing one."""
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.form.arch.currentText()}-{stamp}"
        path, n = self.models_dir / f"{base}.safetensors", 1
        while path.exists():
            n += 1
            path = self.models_dir / f"{base}-{n}.safetensors"
        return path

    # -- running ---------------------------------------------------------------
    def start(self) -> None:
        if self.run.is_running():
            return
        self.curves.clear()
        self.bar.setValue(0)
        self.trained_path = None
        self.use_button.setEnabled(False)
        self._started = time.monotonic()
        self.status.setText("Starting (loading PyTorch and MNIST)…")
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.run.start(self.form.config(), self.mnist_dir() or None, self.output_path())

    def _progress(self, p: Progress) -> None:
        if p.phase not in ("step", "epoch"):
            return
        self.curves.add(p)
        done = ((p.epoch - 1) * p.steps + p.step) / (p.epochs * p.steps)
        self.bar.setValue(round(1000 * done))
        left = p.elapsed / done * (1 - done) if done > 0 else 0
        val = (
            f", validation accuracy {p.val_accuracy:.2%}"
            if p.val_accuracy is not None
            else ""
        )
        self.status.setText(
            f"Epoch {p.epoch}/{p.epochs}: training loss {p.train_loss:.3f}, "
            f"accuracy {p.train_accuracy:.2%}{val}. About {left:.0f} s left "
            "(at most; early stopping may end it sooner)."
        )

    def _succeeded(self, path: str, metrics: dict) -> None:
        self._idle()
        self.trained_path = path
        self.bar.setValue(1000)
        self.use_button.setEnabled(True)
        lines = [f"Saved {Path(path).name} ({time.monotonic() - self._started:.0f} s)."]
        lines.append(self._compare_line("New model", metrics))
        if self._current:
            name, current = self._current
            lines.append(self._compare_line(f"Current ({name})", current))
        self.status.setText("\n".join(lines))
        self.modelTrained.emit(path)

    @staticmethod
    def _compare_line(title: str, metrics: dict) -> str:
        parts = [f"MNIST test {metrics.get('mnist_test_accuracy', 0.0):.2%}"]
        if metrics.get("pen_dev_accuracy") is not None:
            parts.append(f"pen-drawn digits {metrics['pen_dev_accuracy']:.2%}")
        return f"{title}: " + ", ".join(parts)

    def _failed(self, message: str) -> None:
        self._idle()
        self.bar.setValue(0)
        self.status.setText(message)

    def _idle(self) -> None:
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _use(self) -> None:
        if self.trained_path:
            self.modelChosen.emit(self.trained_path)

    def closeEvent(self, event) -> None:
        self.stop_training()
        super().closeEvent(event)
