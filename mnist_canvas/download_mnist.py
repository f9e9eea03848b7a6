"""Download MNIST's four files with torchvision, all or nothing.

    mnist-canvas-download-mnist FOLDER        # or python -m mnist_canvas.download_mnist

Exit status: 0 done, 1 the download failed (the reason on the last JSON line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .data.download import download


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mnist-canvas-download-mnist",
        description="Download MNIST with torchvision into FOLDER, all four files "
        "or nothing.",
    )
    parser.add_argument("folder", type=Path, help="where the four IDX files go")
    parser.add_argument("--mirror", action="append", default=[],
                        help="a mirror to try first (repeatable)")  # fmt: skip
    parser.add_argument("--no-md5", action="store_true",
                        help="do not check the files' MD5 sums")  # fmt: skip
    args = parser.parse_args(argv)
    return download(args.folder, args.mirror, not args.no_md5)


if __name__ == "__main__":
    sys.exit(main())
