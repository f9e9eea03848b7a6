"""Getting MNIST with torchvision's own download: all four files or nothing.

The files are downloaded into a hidden folder beside the target (`staging`),
each checked against torchvision's MD5 sums, and moved into the target only
when all four are whole. One JSON line is printed per file, for the app's
progress bar (`mnist-canvas-download-mnist`, `python -m
mnist_canvas.download_mnist`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


def staging(folder: Path) -> Path:
    """Where a download into `folder` is assembled before it is moved in."""
    return folder.parent / f".{folder.name}.download"


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

    staging_dir = staging(folder)
    shutil.rmtree(staging_dir, ignore_errors=True)
    names = [name for name, _ in MNIST.resources]
    for done, (name, md5) in enumerate(MNIST.resources):
        print(json.dumps({"done": done, "of": len(names)}), flush=True)
        errors = []
        for mirror in mirrors or MNIST.mirrors:
            try:
                download_url(
                    f"{mirror}{name}", staging_dir, name, md5 if check_md5 else None
                )
                break
            except (OSError, RuntimeError, ValueError) as error:
                errors.append(f"{mirror}: {error}")
        else:
            shutil.rmtree(staging_dir, ignore_errors=True)
            offline = all(_no_network(e) for e in errors)
            said = ("this computer cannot reach the internet (no mirror's name "
                    "could be looked up)" if offline
                    else f"{name}: " + "; ".join(errors))  # fmt: skip
            print(json.dumps({"error": said}), flush=True)
            return 1
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(staging_dir / name, folder / name)
    shutil.rmtree(staging_dir, ignore_errors=True)
    print(json.dumps({"done": len(names), "of": len(names)}), flush=True)
    return 0
