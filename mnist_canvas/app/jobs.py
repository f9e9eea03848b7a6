"""Jobs off the GUI thread, the newest of each kind only.

    jobs = LatestJobs("explain")
    jobs.done.connect(show)                 # show(kind, serial, value)
    jobs.failed.connect(report)             # report(kind, serial, message)
    jobs.submit("attribution", lambda: occlusion(classifier, pixels))

Like the predictor: one worker thread takes the newest request of each kind
when it is free; a request that arrives while an older one of the same kind
waits replaces it, so stale work never queues. Whatever a job raises comes
back as `failed` with its message; the thread lives on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot


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
        self.stopping = False  # long jobs check it between steps and give up
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread.start()

    def submit(self, kind: str, work: Callable[[], object]) -> int:
        """Run `work()` on the worker (replacing a waiting job of `kind`)."""
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
            if not self._pending:
                self._busy = False
                return None
            kind = min(self._pending, key=lambda k: self._pending[k][0])
            serial, work = self._pending.pop(kind)
            return kind, serial, work

    def stop(self) -> None:
        """Ask the job in hand to give up, then end the thread (safe to call
        twice)."""
        self.stopping = True
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
