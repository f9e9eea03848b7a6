"""Jobs off the GUI thread, the newest of each kind only.

    jobs = LatestJobs("explain")
    jobs.done.connect(show)                 # show(kind, serial, value)
    jobs.failed.connect(report)             # report(kind, serial, message)
    jobs.submit("attribution", lambda: occlusion(classifier, pixels))

One worker thread, started by the first job, takes the newest request of each
kind when it is free; a request that arrives while an older one of the same
kind waits replaces it, so stale work never queues (the predictor, the
explanations and the scores of my digits all run this way). Whatever a job
raises comes back as `failed` with its message; the thread lives on. `stop`
ends the thread soon: long jobs look at `stopping` between steps and raise
`Interrupted`, which keeps the job for `start` (unless a newer one of its kind
replaced it) and sends nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot


class Interrupted(Exception):
    """Raised by a job that saw `LatestJobs.stopping`: run it again later."""


class _Worker(QObject):
    def __init__(self, owner: LatestJobs):
        super().__init__()
        self.owner = owner

    @Slot()
    def drain(self) -> None:
        while (job := self.owner._take()) is not None:
            kind, serial, work = job
            try:
                value = work()
            except Interrupted:
                self.owner._keep(kind, serial, work)
                return
            except Exception as error:  # the job's failure is its answer
                self.owner.failed.emit(kind, serial, str(error) or type(error).__name__)
            else:
                self.owner.done.emit(kind, serial, value)


class LatestJobs(QObject):
    """Owns one worker thread; `submit` never blocks the caller."""

    done = Signal(str, int, object)  # kind, serial, value (on the GUI thread)
    failed = Signal(str, int, str)  # kind, serial, message
    _wake = Signal()

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, Callable[[], object]]] = {}
        self._busy = False
        self._serial = 0
        self._stop = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        # A QThread destroyed while running aborts the process: whatever path
        # the app takes to quit, stop the thread first.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._started = False  # the thread starts with the first job

    @property
    def stopping(self) -> bool:
        """Whether `stop` was asked: long jobs give up (raise `Interrupted`)."""
        return self._stop.is_set()

    def start(self) -> None:
        """Start the thread again after `stop`: what waits runs then. (Never
        implicit: a request that comes after the window closed must not bring
        back a thread nobody stops.)"""
        self._started = True
        if not self._thread.isRunning():
            self._thread.start()
            with self._lock:
                wake = bool(self._pending) and not self._busy
                self._busy = self._busy or wake
            if wake:
                self._wake.emit()

    def submit(self, kind: str, work: Callable[[], object]) -> int:
        """Run `work()` on the worker (replacing a waiting job of `kind`);
        returns its serial number. After `stop` it waits for `start`."""
        if not self._started:
            self._started = True
            self._thread.start()
        with self._lock:
            self._serial += 1
            self._pending[kind] = (self._serial, work)
            wake = not self._busy
            self._busy = True
        if wake:
            self._wake.emit()
        return self._serial

    def idle(self) -> bool:
        with self._lock:
            return not self._busy

    def _take(self):
        with self._lock:
            if not self._pending or self._stop.is_set():
                self._busy = False
                return None
            kind = min(self._pending, key=lambda k: self._pending[k][0])
            serial, work = self._pending.pop(kind)
            return kind, serial, work

    def _keep(self, kind: str, serial: int, work) -> None:
        with self._lock:
            self._pending.setdefault(kind, (serial, work))

    def stop(self) -> None:
        """Ask the job in hand to give up and end the thread (safe to call
        twice); what still waits runs after `start`, even when no job had
        started the thread yet."""
        self._started = True  # a later `submit` does not start it
        if self._thread.isRunning():
            self._stop.set()
            self._thread.quit()
            self._thread.wait()
            with self._lock:
                self._busy = False
            self._stop.clear()
