"""Why: which pixels decided it, the training digits it resembles, and how
the answer moves when the drawing changes (View ▸ Show Why).

Installed through `features.INSTALLERS`. Everything slow runs in `LatestJobs`
workers (one for the live views, one for building a model's neighbour index),
newest request only, so drawing stays smooth; a model that fails while being
explained gets a message in this view, and the rest of the window carries on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QMainWindow, QWidget

from ..data import default_mnist_dir
from ..diagnosis.attribution import occlusion
from ..diagnosis.probes import apply, current_size, sweep
from ..ink.drawing import Drawing
from ..models.classifier import LoadedModels
from ..models.engine import lower_thread_priority
from .attribution_view import AttributionView
from .jobs import LatestJobs
from .layout import boxed, showing
from .neighbour_strip import K, NeighbourStrip
from .probe_panel import ProbePanel

SCALE = 10  # a 28×28 training digit opens 280×280 on the canvas
# The views wait for a pause in drawing this long: their work (attribution:
# 170 readings, a sweep: 21) would otherwise compete with the bars for the CPU
# at every pointer move (measured: p99 pointer move → bars 36 → 83 ms).
PAUSE_MS = 120


class WhyPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.attribution = AttributionView()
        self.neighbours = NeighbourStrip()
        self.probes = ProbePanel()
        # Evidence and look-alikes side by side, the what-if under them: the
        # shape of the dock on the window's right.
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(boxed("Which pixels decided it", self.attribution), 0, 0)
        layout.addWidget(boxed("Training digits it resembles", self.neighbours), 0, 1)
        layout.addWidget(boxed("What if the drawing changed?", self.probes), 1, 0, 1, 2)
        layout.setRowStretch(0, 1)
        layout.setRowStretch(1, 1)


class Why(QObject):
    """Feeds the panel: requests work on each new reading and shows answers."""

    indexProgress = Signal(str, int, int)  # model, done, total (any thread)
    indexGrew = Signal(str, object)  # model, a partial index (any thread)

    def __init__(self, window: QMainWindow, panel: WhyPanel, dock):
        super().__init__(window)
        self.window, self.panel, self.dock = window, panel, dock
        self.jobs, self.builder = LatestJobs("why", self), LatestJobs("why-index", self)
        self.indexes: dict[str, object] = {}
        # Used on the workers only; a model loaded anew drops its old index.
        self.models = LoadedModels(
            window.predictor.loader, lambda name: self.indexes.pop(name, None)
        )
        self.building: set[str] = set()
        self.model: str | None = None
        self.input: np.ndarray | None = None
        self.due = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self.due.timeout.connect(self._explain)
        self.jobs.done.connect(self._done)
        self.jobs.failed.connect(self._failed)
        self.builder.done.connect(self._index_built)
        self.builder.failed.connect(self._index_failed)
        self.indexProgress.connect(self._index_progress)
        self.indexGrew.connect(self._index_grew)
        window.predictor.results.connect(self._results)
        panel.attribution.contrastChanged.connect(lambda _: self._attribute())
        panel.probes.probesChanged.connect(lambda _: self._probe())
        panel.probes.sweepWanted.connect(self._sweep)
        panel.probes.applyClicked.connect(self.apply_probes)
        panel.neighbours.chosen.connect(self.open_training_digit)
        dock.visibilityChanged.connect(self._shown)
        # A QThread destroyed while running aborts the process: the app's quit
        # stops them (LatestJobs), and so does the window's close (stop).

    def stop(self) -> None:
        self.builder.stop()
        self.jobs.stop()

    # -- requests --
    def active(self) -> bool:
        return showing(self.dock)

    def _shown(self, visible: bool) -> None:
        if visible:
            self.window.request_prediction()

    def _classifier(self, name: str):
        """The model on a worker thread, loaded as the predictor loads it."""
        entry = self.window.catalogue.get(name)
        if entry is None:
            raise ValueError(f"No model called {name!r}")
        return self.models.get(name, entry.path)

    def _results(self, results) -> None:
        if not self.active() or results.serial != self.window.last_serial:
            return
        self.model = self.window.active_model()
        prediction = results.predictions.get(self.model)
        if prediction is None or prediction.is_empty:
            self.input = None
            note = (results.errors.get(self.model) or results.problem
                    or "Draw a digit to see why")  # fmt: skip
            self.panel.attribution.show_message(note)
            self.panel.neighbours.show_message("Nearest training digits")
        else:
            if self.input is None:  # not "Draw a digit…" over a digit
                self.panel.attribution.show_message("Working out why…")
            self.input = prediction.preprocessed.input
        self.due.start()  # restarted by each reading: runs once drawing pauses

    def _explain(self) -> None:
        if self.input is not None:
            self._attribute()
            self._neighbours()
        self.panel.probes.show_source_size(current_size(self.window.canvas.source()))
        self._probe()
        self._sweep(self.panel.probes.swept)

    def _attribute(self) -> None:
        if self.input is None or self.model is None:
            return
        model, pixels = self.model, self.input
        contrast = self.panel.attribution.contrast.isChecked()
        self.jobs.submit(
            "attribution",
            lambda: (occlusion(self._classifier(model), pixels, contrast), pixels),
        )

    def _neighbours(self) -> None:
        model, pixels = self.model, self.input
        index = self.indexes.get(model)
        if index is None or not index.complete:
            self._build_index(model)  # once: it answers as it grows
        if index is None:
            return
        self.jobs.submit(
            "neighbours",
            lambda: (index.nearest(self._classifier(model), pixels, K), index),
        )

    def _probe(self) -> None:
        if not self.active() or self.model is None:
            return
        model, steps = self.model, self.window.strip.switches()
        source, probes = self.window.canvas.source(), self.panel.probes.probes()

        def answer():
            return self._classifier(model).predict(apply(source, probes), steps)

        self.jobs.submit("probe", answer)

    def _sweep(self, name: str) -> None:
        if not self.active() or self.model is None:
            return
        model, steps = self.model, self.window.strip.switches()
        source, probes = self.window.canvas.source(), self.panel.probes.probes()
        self.jobs.submit(
            "sweep",
            lambda: (
                name,
                *sweep(source, self._classifier(model), name, probes, steps),
            ),
        )

    # -- answers --
    def _done(self, kind: str, serial: int, value) -> None:
        panel = self.panel
        if kind == "attribution":
            panel.attribution.show_attribution(*value)
        elif kind == "neighbours":
            near, index = value
            panel.neighbours.show_neighbours(
                near, index.images, index.space, len(index), index.total
            )
        elif kind == "probe":
            seen = None if value.is_empty else value.preprocessed.input
            panel.probes.show_answer(
                value.probabilities, "The probed drawing is empty", seen
            )
        elif kind == "sweep":
            panel.probes.show_sweep(*value)

    def _failed(self, kind: str, serial: int, message: str) -> None:
        text = f"{self.model} failed while being explained: {message}"
        if kind == "attribution":
            self.panel.attribution.show_message(text)
        elif kind == "neighbours":
            self.panel.neighbours.show_message(text)
        elif kind == "sweep":
            self.panel.probes.show_sweep_message(text)
        else:
            self.panel.probes.show_answer(None, text)

    # -- the neighbour index --
    def _build_index(self, model: str) -> None:
        if model in self.building:
            return
        folder = self.window.settings.mnist_dir(str(default_mnist_dir() or ""))
        if not folder:
            self.panel.neighbours.show_message(
                "Nearest training digits need MNIST: choose its folder in "
                "Training ▸ Train a Model… (or set MNIST_CANVAS_DATA)"
            )
            return
        self.building.add(model)
        entry = self.window.catalogue.get(model)

        def build():
            from ..diagnosis.neighbours import load_or_build  # reads MNIST: torch

            def progress(done, total):
                if self.builder.stopping:
                    raise InterruptedError("the window closed")
                self.indexProgress.emit(model, done, total)

            def partial(index):
                # Answers come from the first digits at once (read on both
                # cores); the rest are read behind the window's own work.
                lower_thread_priority()
                self.indexGrew.emit(model, index)

            classifier = self._loaded(model)
            return model, load_or_build(
                classifier, entry.path, folder, progress, partial,
                reader=classifier.for_batches(),
            )  # fmt: skip

        self.panel.neighbours.show_progress(0, 1)
        self.builder.submit(f"index {model}", build)

    def _loaded(self, name: str):
        entry = self.window.catalogue.get(name)
        return self.window.predictor.loader(entry.path)

    def _index_progress(self, model: str, done: int, total: int) -> None:
        if model == self.model:
            self.panel.neighbours.show_progress(done, total)

    def _index_grew(self, model: str, index) -> None:
        if model not in self.building:  # a late signal of a build that ended
            return
        self.indexes[model] = index
        if model == self.model and self.input is not None:
            self._neighbours()

    def _index_built(self, kind: str, serial: int, value) -> None:
        model, index = value
        self.building.discard(model)
        self.indexes[model] = index
        if model == self.model and self.input is not None:
            self._neighbours()

    def _index_failed(self, kind: str, serial: int, message: str) -> None:
        self.building.discard(kind.removeprefix("index "))
        self.panel.neighbours.show_message(f"No nearest training digits: {message}")

    # -- putting things on the canvas --
    def apply_probes(self) -> None:
        source, probes = self.window.canvas.source(), self.panel.probes.probes()
        if probes.neutral:
            return
        probed = apply(source, probes)
        if isinstance(probed, Drawing):
            self.window.canvas.set_drawing(probed, "Apply probes")
        else:
            self.window.canvas.set_picture(probed, "Apply probes")
        self.panel.probes.reset()

    def open_training_digit(self, index: int) -> None:
        found = self.indexes.get(self.model)
        if found is None or found.images is None:
            return
        digit = np.kron(
            255.0 - found.images[index].astype(np.float32), np.ones((SCALE, SCALE))
        )
        self.window.canvas.set_picture(digit, f"Open training digit {index}")
