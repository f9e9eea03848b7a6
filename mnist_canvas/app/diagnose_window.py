"""Diagnose ▸ Diagnose This Model…: the report of `diagnosis.battery`, filled
in as each check finishes, for the model chosen in the list.

Findings show ranked, with their example digits; click a digit to open it on
the canvas with the model chosen, or "Explore" to open the misreadings
explorer. Export HTML writes the same page as the command's --html.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..diagnosis.battery import Diagnosis
from ..diagnosis.findings import Report
from ..diagnosis.report_html import write_html
from ..ink.pictures import canvas_picture
from .diagnose_run import DiagnoseRun
from .file_dialogs import save_file

THREADS = 1  # one core for the checks, the other for the interface


def _image(picture: np.ndarray) -> QImage:
    pixels = (np.clip(np.nan_to_num(picture), 0, 1) * 255).astype(np.uint8)
    image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8)
    return image.copy().scaled(56, 56)


class DiagnoseWindow(QWidget):
    def __init__(self, main, make=Diagnosis):
        super().__init__(main, Qt.WindowType.Window)
        self.main, self.make = main, make
        self.setWindowTitle("Diagnose This Model")
        self.resize(760, 640)
        self.report: Report | None = None
        self.run = DiagnoseRun(self)
        self.run.step.connect(self._step)
        self.run.finished.connect(self._finished)
        self.run.failed.connect(self._failed)
        self._build()

    def _build(self) -> None:
        self.models = QComboBox()
        self.start_button = QPushButton("Diagnose")
        self.cancel_button = QPushButton("Cancel")
        self.export_button = QPushButton("Export HTML…")
        self.progress = QProgressBar()
        self.status = QLabel("Choose a model and press Diagnose.")
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._link)
        top = QHBoxLayout()
        for widget in (QLabel("Model:"), self.models, self.start_button,
                       self.cancel_button, self.export_button):  # fmt: skip
            top.addWidget(widget)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.start_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(lambda: self.export())
        self._buttons()

    def refresh_choices(self) -> None:
        current = self.models.currentText() or self.main.active_model()
        self.models.clear()
        self.models.addItems(list(self.main.catalogue.usable()))
        if current:
            self.models.setCurrentText(current)

    def _buttons(self) -> None:
        running = self.run.running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.export_button.setEnabled(not running and self.report is not None)
        self.models.setEnabled(not running)

    def start(self, model: str | None = None) -> None:
        if self.run.running:
            return
        name = model or self.models.currentText()
        path = self.main.catalogue.usable().get(name, name)
        diagnosis = self.make(path, threads=THREADS)
        self.report = diagnosis.report
        self.progress.setRange(0, 0)
        self.status.setText(f"Diagnosing {name}…")
        self._show()
        self.run.start(diagnosis)
        self._buttons()

    def cancel(self) -> None:
        self.run.cancel()
        self.status.setText("Cancelling after the check under way…")

    def _step(self, step) -> None:
        self.progress.setRange(0, step.total)
        self.progress.setValue(step.done)
        found = ", ".join(f.cause for f in step.findings) or "nothing found"
        self.status.setText(f"{step.check}: {found}")
        self._show()

    def _finished(self, report: Report, cancelled: bool) -> None:
        self.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        words = "Cancelled: the checks done so far." if cancelled else "Done."
        self.status.setText(" ".join([words, *report.problems]))
        self._show()
        self._buttons()

    def _failed(self, message: str) -> None:
        self.status.setText(f"The diagnosis failed: {message}")
        self._buttons()

    def _show(self) -> None:
        """The report so far: findings ranked, digits as clickable images."""
        report, e = self.report, html.escape
        document = self.view.document()
        parts = [f"<h2>{e(report.model)}</h2>"]
        if report.mnist is not None:
            pen = "–" if report.strokes is None else f"{report.strokes:.1%}"
            parts.append(f"<p>MNIST test {report.mnist:.1%} · pen digits {pen}</p>")
        if report.checks and not self.run.running:
            parts.append(f"<p><b>{e(report.verdict())}</b></p>")
        for n, f in enumerate(report.ranked()):
            images = []
            for k, (caption, picture) in enumerate(f.pictures):
                url = QUrl(f"digit:{n}-{k}")
                document.addResource(
                    QTextDocument.ResourceType.ImageResource, url, _image(picture)
                )
                images.append(
                    f"<a href='digit:{n}-{k}'><img src='digit:{n}-{k}' "
                    f"title='{e(caption)}'></a> "
                )
            parts.append(
                f"<h3>{e(f.cause)} — {f.severity:.1f} points</h3>"
                f"<p>{e(f.summary)}</p><p><i>Fix:</i> {e(f.fix)}</p>"
                f"<p>{''.join(images)}</p>"
                + ("<p><a href='explore:'>Explore its misreadings…</a></p>"
                   if f.cause in ("class-imbalance", "underfitting") else "")
            )  # fmt: skip
        if report.checks:
            parts.append(f"<p><small>Checks run: {e(', '.join(report.checks))}"
                         "</small></p>")  # fmt: skip
        self.view.setHtml("".join(parts))

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("explore:"):
            from .explorer_action import open_explorer

            open_explorer(self.main)
            return
        if text.startswith("digit:"):
            n, k = (int(v) for v in text[len("digit:") :].split("-"))
            self.open_digit(n, k)

    def open_digit(self, n: int, k: int) -> None:
        """Example `k` of finding `n` on the main canvas, its model chosen."""
        caption, picture = self.report.ranked()[n].pictures[k]
        canvas = self.main.canvas
        size = (round(canvas.drawing.width), round(canvas.drawing.height))
        canvas.set_picture(canvas_picture(picture * 255.0, size), f"Open {caption}")
        self.main.model_picker.choose(self.report.model)

    def export(self, path: str | None = None) -> bool:
        if self.report is None:
            return False
        name = f"diagnosis-{self.report.model}.html"
        path = path or save_file(self, "Export the report", name, "HTML (*.html)")
        if not path:
            return False
        try:
            write_html(path, self.report)
        except OSError as error:
            self.status.setText(f"{path} cannot be written ({error})")
            return False
        self.status.setText(f"Exported {path}")
        return True

    def busy(self) -> str | None:
        return "a diagnosis is running" if self.run.running else None

    def stop(self) -> None:
        self.run.stop()
