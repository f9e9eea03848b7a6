"""A training run in a separate process, so drawing never waits for it.

`TrainingRun.start(config, data_dir, out)` runs `python -m mnist_canvas.train_cli`
with the whole `TrainConfig` as JSON and `--progress-json`; every progress line
it prints comes back as a `Progress` record (`progress(object)` signal).
A second process (not a thread) keeps the GIL and both cores' scheduling away
from the GUI. Cancelling terminates the child (killing it if it lingers); the
child writes its checkpoint atomically, and any temp file it leaves when killed
mid-write is removed here, so a run either adds one whole model or nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from ..files import STALE_PART_SECONDS, remove_parts
from ..training.config import Progress, TrainConfig

KILL_AFTER_MS = 1500


class TrainingRun(QObject):
    WHAT = "Training"  # how messages name the run
    progress = Signal(object)  # a Progress record from the child
    succeeded = Signal(str, dict)  # checkpoint path, its metadata's "metrics"
    failed = Signal(str)  # a message for the user

    def __init__(self, parent=None):
        super().__init__(parent)
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self.out: Path | None = None
        self._buffer = b""
        self._saved: dict | None = None
        self._error_message: str | None = None
        self._cancelled = False
        self._done = False
        # A cancel's kill, if the child outlives its terminate: this run's
        # only (stopped when the run ends, so it never kills the next one).
        self._kill_due = QTimer(self, singleShot=True, interval=KILL_AFTER_MS)
        self._kill_due.timeout.connect(self._kill_if_running)

    def start(self, config: TrainConfig, data_dir: str | None, out: Path) -> None:
        full = ["-m", "mnist_canvas.train_cli", "--config-json", config.to_json(),
                "--out", str(out), "--progress-json", "--background"]  # fmt: skip
        if data_dir:
            full += ["--data-dir", data_dir]
        self.launch(full, out)

    def launch(self, arguments: list[str], out: Path) -> None:
        """Run `python ARGUMENTS`, a child that writes the model `out`."""
        self.out = Path(out)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file where the folder should be, no rights
            message = (
                f"{self.WHAT} did not start: the folder {self.out.parent} cannot "
                f"be made ({error.strerror or error}); no model was saved."
            )
            QTimer.singleShot(0, lambda: self.failed.emit(message))
            return
        self._buffer, self._saved, self._error_message = b"", None, None
        self._cancelled = self._done = False
        self._kill_due.stop()
        self.process.start(sys.executable, arguments)

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """Stop the run: terminate now, kill if still alive after 1.5 s."""
        if not self.is_running():
            return
        self._cancelled = True
        self.process.terminate()
        self._kill_due.start()

    def wait_stopped(self, msecs: int = 5000) -> None:
        """Block until the child is gone (for closing the app)."""
        if self.is_running():
            self.cancel()
            if not self.process.waitForFinished(msecs):
                self.process.kill()
                self.process.waitForFinished(msecs)

    def _kill_if_running(self) -> None:
        if self.is_running():
            self.process.kill()

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                self._line(data)

    def _line(self, data: dict) -> None:
        """One JSON object the child printed."""
        if data.get("phase") == "saved":
            self._saved = data.get("metrics") or {}
        elif data.get("phase") == "error":
            self._error_message = str(data.get("message"))
        else:
            try:
                self.progress.emit(Progress.from_json(data))
            except ValueError:
                pass  # not ours: ignore rather than stop the run

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._done:
            return
        self._done = True
        self._kill_due.stop()
        self._read_stdout()
        if (
            self._saved is not None and self.out.is_file()
        ):  # whole, even if killed after
            self.succeeded.emit(str(self.out), self._saved)
            return
        self._remove_partial()
        if self._cancelled:
            self.failed.emit(f"{self.WHAT} was cancelled; no model was saved.")
        elif self._error_message:
            self.failed.emit(self._error_message)
        elif status == QProcess.ExitStatus.CrashExit:
            self.failed.emit(f"The {self.WHAT.lower()} process stopped "
                             "unexpectedly; no model was saved.")  # fmt: skip
        else:
            tail = bytes(self.process.readAllStandardError().data()).decode(
                errors="replace").strip().splitlines()[-3:]  # fmt: skip
            detail = " ".join(tail) or f"exit status {code}"
            self.failed.emit(f"{self.WHAT} failed ({detail}); no model was saved.")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._done = True
            self.failed.emit(f"The {self.WHAT.lower()} process could not be started.")

    def _remove_partial(self) -> None:
        """Delete temp files a killed child may have left; never a whole model."""
        if self.out is not None:  # the child has ended: its parts are a leftover
            remove_parts(self.out, older_than=STALE_PART_SECONDS)


class PersonaliseRun(TrainingRun):
    """`python -m mnist_canvas.personalise` in a separate process; `succeeded`
    carries the new checkpoint's path and the command's JSON summary."""

    WHAT = "Personalising"

    def start_personalise(
        self, model: Path, digits: Path, out: Path, mnist_dir: str | None
    ) -> None:
        full = ["-m", "mnist_canvas.personalise", "--model", str(model),
                "--digits", str(digits), "--out", str(out), "--json",
                "--background"]  # fmt: skip
        if mnist_dir:
            full += ["--mnist", mnist_dir]
        self.launch(full, out)

    def _line(self, data: dict) -> None:
        if {"path", "seconds", "digits", "mnist_test"} <= set(data):
            self._saved = data
