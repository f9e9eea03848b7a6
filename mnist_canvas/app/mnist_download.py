"""Getting MNIST: torchvision's own download of the four files, in a child
process so that the window never waits and Cancel can stop it at any moment.

The child (`python -m mnist_canvas.app.mnist_download FOLDER`) downloads into a
hidden folder beside FOLDER, checks each file's MD5 (torchvision does), and
moves the four files into FOLDER only when all four are whole; it prints one
JSON line per file. Cancelling terminates it and removes the hidden folder, so
nothing partial is ever kept.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal


def _staging(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.download"


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
        args = ["-m", "mnist_canvas.app.mnist_download", str(self.folder)]
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
        shutil.rmtree(_staging(self.folder), ignore_errors=True)
        if code == 0 and status == QProcess.ExitStatus.NormalExit:
            self.succeeded.emit(str(self.folder))
        elif self._cancelled:
            self.failed.emit("The download was cancelled; nothing was kept.")
        else:
            detail = self._message or f"exit status {code}"
            self.failed.emit(f"MNIST could not be downloaded ({detail}).")


def _no_network(error: str) -> bool:
    """Whether a mirror's error says its name could not be looked up."""
    return any(
        words in error
        for words in ("Name or service not known", "Temporary failure in name",
                      "nodename nor servname", "getaddrinfo failed")
    )  # fmt: skip


def download(folder: Path, mirrors: list[str], check_md5: bool = True) -> int:
    """The child's work: all four files into `folder`, or nothing."""
    from torchvision.datasets import MNIST
    from torchvision.datasets.utils import download_url

    staging = _staging(folder)
    shutil.rmtree(staging, ignore_errors=True)
    names = [name for name, _ in MNIST.resources]
    for done, (name, md5) in enumerate(MNIST.resources):
        print(json.dumps({"done": done, "of": len(names)}), flush=True)
        errors = []
        for mirror in mirrors or MNIST.mirrors:
            try:
                download_url(
                    f"{mirror}{name}", staging, name, md5 if check_md5 else None
                )
                break
            except (OSError, RuntimeError, ValueError) as error:
                errors.append(f"{mirror}: {error}")
        else:
            shutil.rmtree(staging, ignore_errors=True)
            offline = all(_no_network(e) for e in errors)
            said = ("this computer cannot reach the internet (no mirror's name "
                    "could be looked up)" if offline
                    else f"{name}: " + "; ".join(errors))  # fmt: skip
            print(json.dumps({"error": said}), flush=True)
            return 1
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(staging / name, folder / name)
    shutil.rmtree(staging, ignore_errors=True)
    print(json.dumps({"done": len(names), "of": len(names)}), flush=True)
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Download MNIST with torchvision.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mirror", action="append", default=[])
    parser.add_argument("--no-md5", action="store_true")
    args = parser.parse_args()
    sys.exit(download(args.folder, args.mirror, not args.no_md5))
