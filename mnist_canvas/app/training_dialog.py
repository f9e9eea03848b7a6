"""Training ▸ Train a Model…: the knobs (`TrainingForm`), live curves, a result.

The run happens in another process (`TrainingRun`): the dialog hands it the
form's `TrainConfig` whole and draws the `Progress` records it sends back.
What the rest of the app may use: the signals `modelTrained(path)`,
`modelChosen(path)` and `mnistDirChanged(folder)`, and the methods
`is_training()`, `stop_training()`, `set_current_model(name, metrics)`.
When the MNIST folder lacks the files, the dialog offers to download them
(`MnistDownload`) into the user's data folder and announces the new folder.
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

from ..data.mnist import MNIST_FILES
from ..files import user_data_dir
from ..training.config import Progress
from .curves import CurvesView
from .mnist_download import MnistDownload
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
        self.download = MnistDownload(self)
        self.download.progress.connect(self._download_progress)
        self.download.succeeded.connect(self._downloaded)
        self.download.failed.connect(self._failed)
        self.download_dir = user_data_dir() / "mnist"
        self.trained_path: str | None = None
        self._started = 0.0
        self._build(mnist_dir)
        self._offer_download()

    # -- what the window uses ------------------------------------------------------
    def is_training(self) -> bool:
        return self.run.is_running()

    def stop_training(self) -> None:
        """Stop a run or a download (nothing half-done is kept) and wait."""
        self.download.cancel()
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
        self.data_dir.editingFinished.connect(self._folder_edited)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.download_button = QPushButton("Download MNIST…")
        self.download_button.setToolTip(
            "Download the four MNIST files (about 11 MB) with torchvision"
        )
        self.download_button.clicked.connect(self._download_clicked)
        data.addWidget(self.data_dir)
        data.addWidget(browse)
        data.addWidget(self.download_button)
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
            self._folder_edited()

    def _folder_edited(self) -> None:
        self.mnistDirChanged.emit(self.mnist_dir())
        self._offer_download()

    def has_mnist(self) -> bool:
        """Does the MNIST folder hold the four files (gzipped or not)?"""
        folder = Path(self.mnist_dir())
        return bool(self.mnist_dir()) and all(
            (folder / n).is_file() or (folder / f"{n}.gz").is_file()
            for n in MNIST_FILES
        )

    def _offer_download(self) -> None:
        self.download_button.setVisible(not self.has_mnist())
        if not self.has_mnist() and not self.download.is_running():
            self.status.setText(
                "No MNIST files in the MNIST folder: choose the folder that "
                "holds them, or Download MNIST."
            )

    def _download_clicked(self) -> None:
        if self.download.is_running():
            self.download.cancel()
            return
        self.download_button.setText("Cancel download")
        self.start_button.setEnabled(False)
        self.status.setText(f"Downloading MNIST into {self.download_dir}…")
        self.download.start(self.download_dir)

    def _download_progress(self, done: int, total: int) -> None:
        self.bar.setValue(round(1000 * done / total))
        self.status.setText(f"Downloading MNIST: {done} of {total} files…")

    def _downloaded(self, folder: str) -> None:
        self.data_dir.setText(folder)
        self._idle()
        self.status.setText(f"MNIST is in {folder}. Choose the knobs, then Start.")
        self._folder_edited()

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
        self.download_button.setText("Download MNIST…")

    def _use(self) -> None:
        if self.trained_path:
            self.modelChosen.emit(self.trained_path)

    def reject(self) -> None:
        """Close, the window's ✕ and Esc all come here, and only hide the
        dialog: a run goes on until its Cancel or the app's quitting (once
        Close stopped it unasked, and Esc did not)."""
        doing = ("Training" if self.is_training()
                 else "The MNIST download" if self.download.is_running()
                 else None)  # fmt: skip
        window = self.parentWidget()
        if doing and window is not None and hasattr(window, "statusBar"):
            window.statusBar().showMessage(
                f"{doing} goes on in the background: Training ▸ Train a "
                "Model… shows it, and cancels it"
            )
        super().reject()
