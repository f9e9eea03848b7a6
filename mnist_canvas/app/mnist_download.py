"""Getting MNIST: torchvision's own download of the four files, in a child
process so that the window never waits and Cancel can stop it at any moment.

The child (`python -m mnist_canvas.download_mnist FOLDER`, see
`data/download.py`) downloads into a hidden folder beside FOLDER and moves
the four files in only when all four are whole; it prints one JSON line per
file. Cancelling terminates it and removes the hidden folder, so
nothing partial is ever kept.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from ..data.download import staging


class MnistDownload(QObject):
    progress = Signal(int, int)  # files done, files in all
    succeeded = Signal(str)  # the folder now holding MNIST
    failed = Signal(str)  # a message for the user

    def __init__(self, parent=None, mirrors: list[str] | None = None):
        super().__init__(parent)
        self.mirrors = mirrors  # None: torchvision's own list
        self.check_md5 = True  # against torchvision's sums of the official files
        self.folder: Path | None = None
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self._cancelled = False
        self._message = ""

    def start(self, folder: Path) -> None:
        self.folder, self._cancelled, self._message = Path(folder), False, ""
        args = ["-m", "mnist_canvas.download_mnist", str(self.folder)]
        for mirror in self.mirrors or []:
            args += ["--mirror", mirror]
        if not self.check_md5:
            args.append("--no-md5")
        self.process.start(sys.executable, args)

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """Stop now and wait; the partial download is removed."""
        if self.is_running():
            self._cancelled = True
            self.process.kill()
            self.process.waitForFinished(5000)

    def _read(self) -> None:
        while self.process.canReadLine():
            try:
                line = json.loads(bytes(self.process.readLine().data()))
            except ValueError:
                continue
            if isinstance(line, dict) and "done" in line:
                self.progress.emit(int(line["done"]), int(line["of"]))
            elif isinstance(line, dict) and "error" in line:
                self._message = str(line["error"])

    def _finished(self, code: int, status) -> None:
        self._read()
        shutil.rmtree(staging(self.folder), ignore_errors=True)
        if code == 0 and status == QProcess.ExitStatus.NormalExit:
            self.succeeded.emit(str(self.folder))
        elif self._cancelled:
            self.failed.emit("The download was cancelled; nothing was kept.")
        else:
            detail = self._message or f"exit status {code}"
            self.failed.emit(f"MNIST could not be downloaded ({detail}).")
