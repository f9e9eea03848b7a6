"""The explorer's readings, made off the GUI thread and kept while the app runs.

`ExplorerRuns.start(job)` reads a data set with one model in a worker thread
(`diagnosis.explore.read_dataset`, chunk by chunk: `progress(done, total)`);
`cancel()` stops it between two chunks. The thread runs only while a reading
does. Finished readings are kept by
`job.key` (model file, data set, switches), so asking again costs nothing.
Whatever goes wrong (a bad record, a missing folder, a model that fails) comes
back as `failed(job, message)`; the thread lives on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..diagnosis.explore import Dataset, Readings, cache_key, read_dataset
from ..models.classifier import Classifier, LoadedModels
from ..models.engine import lower_thread_priority


@dataclass(frozen=True)
class Job:
    model: str
    path: Path  # the model's file
    dataset: Dataset
    steps: tuple[tuple[str, bool], ...]
    # The files as they were when the job was made: a reading is kept under
    # it, so a file changed while it was read is read again next time.
    key: tuple = ()

    @classmethod
    def make(cls, model: str, path, dataset: Dataset, steps: dict) -> Job:
        key = cache_key(path, dataset, steps)
        return cls(model, Path(path), dataset, tuple(sorted(steps.items())), key)


class _Worker(QObject):
    progress = Signal(int, int)
    finished = Signal(object, object)  # Job, Readings (None: cancelled)
    failed = Signal(object, str)  # Job, message

    def __init__(self, loader: Callable[[Path], Classifier]):
        super().__init__()
        # Each model loaded once per version of its file, not at every reading
        # (a session for the default pair holds the interpreter ~0.2 s).
        self.models = LoadedModels(loader)
        self.stop = threading.Event()
        self.job: Job | None = None

    @Slot()
    def run(self) -> None:
        job = self.job

        def progress(done: int, total: int) -> bool:
            self.progress.emit(done, total)
            return not self.stop.is_set()

        # Behind the window's own work: the bars keep up while it reads (its
        # batch session's threads, made on this thread, inherit the priority).
        lower_thread_priority()
        try:
            classifier = self.models.get(job.model, job.path)
            readings = read_dataset(classifier, job.dataset, dict(job.steps), progress)
        except Exception as error:  # data and models can hold anything: a message
            self.failed.emit(job, _message(job, error))
            return
        self.finished.emit(job, readings)


def _message(job: Job, error: Exception) -> str:
    text = str(error) or type(error).__name__
    if job.model not in text and str(job.dataset.path) not in text:
        text = f"{job.model} on {job.dataset.title}: {text}"
    return text


class ExplorerRuns(QObject):
    """One reading at a time in a worker thread; finished ones kept by key."""

    progress = Signal(int, int)  # done, total
    done = Signal(object)  # Job: its readings are in `cache`
    failed = Signal(object, str)  # Job, message
    cancelled = Signal(object)  # Job

    def __init__(self, loader: Callable[[Path], Classifier] | None = None, parent=None):
        super().__init__(parent)
        self.cache: dict[tuple, Readings] = {}
        self.current: Job | None = None
        self._thread = QThread()
        self._thread.setObjectName("explorer")
        self._worker = _Worker(loader or (lambda path: Classifier.load(path, 1)))
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def readings(self, job: Job) -> Readings | None:
        return self.cache.get(job.key)

    def busy(self) -> bool:
        return self.current is not None

    def start(self, job: Job) -> None:
        """Read `job` (the caller waits for `busy()` to be False first)."""
        if self.current is not None:
            raise RuntimeError("a reading is under way")
        self.current = self._worker.job = job
        self._worker.stop.clear()
        self._thread.start()  # runs the job, then is told to quit

    def cancel(self) -> None:
        self._worker.stop.set()

    def _end_thread(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.current = None

    def _finished(self, job: Job, readings: Readings | None) -> None:
        self._end_thread()
        if readings is None:
            self.cancelled.emit(job)
            return
        self.cache[job.key] = readings
        self.done.emit(job)

    def _failed(self, job: Job, message: str) -> None:
        self._end_thread()
        self.failed.emit(job, message)

    def stop(self) -> None:
        """Stop the reading in hand and end the thread (safe to call twice)."""
        self.cancel()
        self._thread.quit()
        self._thread.wait()
