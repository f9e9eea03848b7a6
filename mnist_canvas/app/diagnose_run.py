"""A diagnosis run off the GUI thread, one at a time, cancellable between
two checks.

    run = DiagnoseRun()
    run.step.connect(show)            # each check's Step, as it finishes
    run.finished.connect(done)        # the Report (also when cancelled)
    run.start(Diagnosis("mlp"))
    run.cancel()

The worker iterates the same generator the command line prints
(`diagnosis.battery.Diagnosis.steps`); the thread runs only while a
diagnosis does.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..diagnosis.battery import Diagnosis


class _Worker(QObject):
    step = Signal(object)  # Step
    finished = Signal(object, bool)  # Report, cancelled
    failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.stop = threading.Event()
        self.diagnosis: Diagnosis | None = None

    @Slot()
    def run(self) -> None:
        diagnosis = self.diagnosis
        try:
            for step in diagnosis.steps():
                self.step.emit(step)
                if self.stop.is_set():
                    self.finished.emit(diagnosis.report, True)
                    return
        except Exception as error:  # models and data can hold anything
            self.failed.emit(str(error) or type(error).__name__)
            return
        self.finished.emit(diagnosis.report, False)


class DiagnoseRun(QObject):
    step = Signal(object)
    finished = Signal(object, bool)  # Report, cancelled
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("diagnose")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.step.connect(self.step)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        self.running = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self, diagnosis: Diagnosis) -> None:
        if self.running:
            raise RuntimeError("a diagnosis is under way")
        self.running = True
        self._worker.diagnosis = diagnosis
        self._worker.stop.clear()
        self._thread.start()

    def cancel(self) -> None:
        self._worker.stop.set()

    def _end(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.running = False

    def _finished(self, report, cancelled: bool) -> None:
        self._end()
        self.finished.emit(report, cancelled)

    def _failed(self, message: str) -> None:
        self._end()
        self.failed.emit(message)

    def stop(self) -> None:
        """Cancel and end the thread (safe to call twice)."""
        self.cancel()
        self._thread.quit()
        self._thread.wait()
        self.running = False
