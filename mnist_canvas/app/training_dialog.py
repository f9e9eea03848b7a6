"""Training ▸ Train a Model…: every cause of a bad MNIST model as a knob, live curves.

The run happens in another process (`TrainingRun`); this dialog only turns
knobs into `train.py` arguments and draws what the run reports.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..augment import KINDS
from ..models import DEFAULT_MODEL, REGISTRY
from ..training import TrainConfig
from .curves import CurvesView
from .training_run import TrainingRun

PRESETS = {
    "Quick (about a minute)": {"arch": DEFAULT_MODEL, "epochs": 3, "size": 10000},
    "Full (about ten minutes)": {"arch": DEFAULT_MODEL, "epochs": 12, "size": 60000},
    "Overfitting demo (1 k images, no dropout, no augmentation)": {
        "arch": "cnn",
        "epochs": 30,
        "size": 1000,
        "dropout": False,
        "augment": (),
    },
    "Learning rate too high": {
        "arch": DEFAULT_MODEL,
        "epochs": 3,
        "size": 10000,
        "lr": 0.5,
    },
}


class TrainingDialog(QDialog):
    modelTrained = Signal(str, bool)  # checkpoint path, "use it now"

    def __init__(
        self, models_dir: Path, mnist_dir: str, current: dict | None, parent=None
    ):
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.models_dir = Path(models_dir)
        self.current = current or {}
        self.run = TrainingRun(self)
        self.run.progress.connect(self._progress)
        self.run.succeeded.connect(self._succeeded)
        self.run.failed.connect(self._failed)
        self.trained_path: str | None = None
        self._started = 0.0
        self._build(mnist_dir)
        self.apply_preset(next(iter(PRESETS)))

    # -- form -----------------------------------------------------------------------
    def _build(self, mnist_dir: str) -> None:
        form = QFormLayout()
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.currentTextChanged.connect(self.apply_preset)
        form.addRow("Preset", self.preset)
        self.arch = QComboBox()
        self.arch.addItems(list(REGISTRY))
        form.addRow("Architecture", self.arch)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        form.addRow("Epochs", self.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 5.0)
        self.lr.setSingleStep(0.001)
        form.addRow("Learning rate (peak)", self.lr)
        self.batch = QComboBox()
        self.batch.addItems(["32", "64", "128", "256", "512"])
        form.addRow("Batch size", self.batch)
        self.dropout = QCheckBox("on")
        form.addRow("Dropout", self.dropout)
        self.activation = QComboBox()
        self.activation.addItems(["relu", "sigmoid"])
        form.addRow("Activation", self.activation)
        kinds = QHBoxLayout()
        self.augment = {}
        for kind in KINDS:
            self.augment[kind] = QCheckBox(kind)
            kinds.addWidget(self.augment[kind])
        form.addRow("Augmentation", kinds)
        self.size = QSpinBox()
        self.size.setRange(100, 60000)
        self.size.setSingleStep(1000)
        self.size.setToolTip(
            "Training images used (MNIST has 55,000 after the "
            "validation split); few images make overfitting visible"
        )
        form.addRow("Training images", self.size)
        imbalance = QHBoxLayout()
        self.imbalance = QCheckBox("keep only")
        self.imbalance_kept = QSpinBox()
        self.imbalance_kept.setRange(0, 100)
        self.imbalance_kept.setSuffix(" %")
        self.imbalance_kept.setValue(10)
        self.imbalance_digit = QSpinBox()
        self.imbalance_digit.setRange(0, 9)
        self.imbalance_digit.setPrefix("of the digit ")
        for w in (self.imbalance, self.imbalance_kept, self.imbalance_digit):
            imbalance.addWidget(w)
        form.addRow("Class imbalance", imbalance)
        early = QHBoxLayout()
        self.early = QCheckBox("stop after")
        self.patience = QSpinBox()
        self.patience.setRange(1, 50)
        self.patience.setSuffix(" epochs without gain")
        early.addWidget(self.early)
        early.addWidget(self.patience)
        form.addRow("Early stopping", early)
        data = QHBoxLayout()
        self.data_dir = QLineEdit(mnist_dir)
        self.data_dir.setPlaceholderText("folder with the four MNIST IDX files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        data.addWidget(self.data_dir)
        data.addWidget(browse)
        form.addRow("MNIST folder", data)

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
        left = QWidget()
        left.setLayout(form)
        top.addWidget(left)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)

    def apply_preset(self, name: str) -> None:
        d = TrainConfig()
        p = PRESETS[name]
        self.arch.setCurrentText(p["arch"])
        self.epochs.setValue(p["epochs"])
        self.size.setValue(p["size"])
        self.lr.setValue(p.get("lr", d.lr))
        self.batch.setCurrentText(str(d.batch_size))
        self.dropout.setChecked(p.get("dropout", bool(REGISTRY[p["arch"]].dropout)))
        self.activation.setCurrentText("relu")
        kinds = p.get("augment", KINDS)
        for kind, box in self.augment.items():
            box.setChecked(kind in kinds)
        self.imbalance.setChecked(False)
        self.early.setChecked(p.get("early", False))
        self.patience.setValue(d.patience or 4)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "MNIST folder", self.data_dir.text()
        )
        if folder:
            self.data_dir.setText(folder)

    def arguments(self) -> list[str]:
        """The train.py arguments these knobs stand for."""
        kinds = [k for k, box in self.augment.items() if box.isChecked()]
        args = [
            "--model",
            self.arch.currentText(),
            "--epochs",
            str(self.epochs.value()),
            "--lr",
            f"{self.lr.value():g}",
            "--batch-size",
            self.batch.currentText(),
            "--dropout",
            "on" if self.dropout.isChecked() else "off",
            "--activation",
            self.activation.currentText(),
            "--augment",
            ",".join(kinds) or "none",
            "--train-size",
            str(self.size.value()),
            "--patience",
            str(self.patience.value() if self.early.isChecked() else 0),
        ]
        if self.imbalance.isChecked():
            kept = self.imbalance_kept.value() / 100
            args += ["--imbalance", f"{self.imbalance_digit.value()}:{kept:g}"]
        if self.data_dir.text().strip():
            args += ["--data-dir", self.data_dir.text().strip()]
        return args

    def output_path(self) -> Path:
        """A new file in the user's models folder; never an existing one."""
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.arch.currentText()}-{stamp}"
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
        self.run.start(self.arguments(), self.output_path())

    def _progress(self, p: dict) -> None:
        if p.get("phase") not in ("step", "epoch"):
            return
        self.curves.add(p)
        done = ((p["epoch"] - 1) * p["steps"] + p["step"]) / (p["epochs"] * p["steps"])
        self.bar.setValue(round(1000 * done))
        elapsed = p["elapsed"]
        left = elapsed / done * (1 - done) if done > 0 else 0
        val = (
            f", validation accuracy {p['val_accuracy']:.2%}"
            if p.get("val_accuracy") is not None
            else ""
        )
        self.status.setText(
            f"Epoch {p['epoch']}/{p['epochs']}: training loss {p['train_loss']:.3f}, "
            f"accuracy {p['train_accuracy']:.2%}{val}. About {left:.0f} s left "
            "(at most; early stopping may end it sooner)."
        )

    def _succeeded(self, path: str, saved: dict) -> None:
        self._idle()
        self.trained_path = path
        self.bar.setValue(1000)
        self.use_button.setEnabled(True)
        lines = [f"Saved {Path(path).name} ({time.monotonic() - self._started:.0f} s)."]
        lines.append(self._compare_line("New model", saved["metrics"]))
        if self.current:
            lines.append(
                self._compare_line(
                    f"Current ({self.current.get('name')})", self.current
                )
            )
        self.status.setText("\n".join(lines))
        self.modelTrained.emit(path, False)

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
            self.modelTrained.emit(self.trained_path, True)

    def closeEvent(self, event) -> None:
        self.run.wait_stopped()
        super().closeEvent(event)
