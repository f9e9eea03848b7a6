"""The training dialog's knobs: every cause of a bad MNIST model, as a
`TrainConfig`. Presets set the knobs; `config()` reads them back."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from ..models.registry import DEFAULT_ARCH, REGISTRY, ModelConfig
from ..training.augment import KINDS
from ..training.config import KNOBS, TrainConfig

PRESETS = {
    "Quick (about a minute)": {"arch": DEFAULT_ARCH, "epochs": 3, "size": 10000},
    "Full (about ten minutes)": {"arch": DEFAULT_ARCH, "epochs": 12, "size": 60000},
    "Overfitting demo (1 k images, no dropout, no augmentation)": {
        "arch": "cnn", "epochs": 30, "size": 1000, "dropout": False, "augment": (),
    },
    "Learning rate too high": {
        "arch": DEFAULT_ARCH, "epochs": 3, "size": 10000, "lr": 0.5,
    },
}  # fmt: skip


def _spin(low: int, high: int, **props) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    for name, value in props.items():
        getattr(box, "set" + name[0].upper() + name[1:])(value)
    return box


def _knob(widget, name: str, high: float):
    """A spin box for the training setting `name`: its declared lower bound
    and help (the command line's), up to `high`, the form's own cap."""
    meta = KNOBS[name].metadata
    low = meta["low"] if meta["low"] is not None else meta["above"]
    widget.setRange(low, high)
    widget.setToolTip(meta["help"][0].upper() + meta["help"][1:])
    return widget


class TrainingForm(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.currentTextChanged.connect(self.apply_preset)
        form.addRow("Preset", self.preset)
        self.arch = QComboBox()
        self.arch.addItems(list(REGISTRY))
        form.addRow("Architecture", self.arch)
        self.epochs = _knob(QSpinBox(), "epochs", 200)
        form.addRow("Epochs", self.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        _knob(self.lr, "lr", 5.0).setMinimum(1e-5)  # above 0, as the spin box shows
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
        self.augment = {kind: QCheckBox(kind) for kind in KINDS}
        form.addRow("Augmentation", self._row(*self.augment.values()))
        self.size = _spin(100, 60000, singleStep=1000)
        self.size.setToolTip(
            "Training images used (MNIST has 55,000 after the "
            "validation split); few images make overfitting visible"
        )
        form.addRow("Training images", self.size)
        self.imbalance = QCheckBox("keep only")
        self.imbalance_kept = _spin(0, 100, suffix=" %", value=10)
        self.imbalance_digit = _spin(0, 9, prefix="of the digit ")
        form.addRow("Class imbalance", self._row(
            self.imbalance, self.imbalance_kept, self.imbalance_digit))  # fmt: skip
        self.early = QCheckBox("stop after")
        self.patience = _knob(QSpinBox(), "patience", 50)
        self.patience.setSuffix(" epochs without gain")
        form.addRow("Early stopping", self._row(self.early, self.patience))
        self.form = form
        self.apply_preset(next(iter(PRESETS)))

    @staticmethod
    def _row(*widgets) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        return row

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

    def config(self) -> TrainConfig:
        """The training these knobs stand for."""
        imbalance = None
        if self.imbalance.isChecked():
            kept = self.imbalance_kept.value() / 100
            imbalance = (self.imbalance_digit.value(), kept)
        model = ModelConfig(self.arch.currentText(), self.activation.currentText(),
                            self.dropout.isChecked())  # fmt: skip
        return TrainConfig(
            model=model,
            epochs=self.epochs.value(),
            batch_size=int(self.batch.currentText()),
            lr=self.lr.value(),
            augment=tuple(k for k, box in self.augment.items() if box.isChecked()),
            train_size=self.size.value(),
            imbalance=imbalance,
            patience=self.patience.value() if self.early.isChecked() else None,
        )
