"""Start the app: `mnist-canvas [FILE]` or `python -m mnist_canvas [FILE]`.

FILE, a drawing (.json) or a picture, is opened at start-up; one that cannot
be read gives a message and the app starts with an empty canvas.
"""

from __future__ import annotations

import argparse
import sys


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mnist-canvas",
        description="Draw digits and watch MNIST models read them.",
    )
    parser.add_argument(
        "file", nargs="?", help="a drawing (.json) or a picture to open"
    )
    return parser.parse_args(argv)


def open_window(file: str | None = None, settings=None):
    """The main window, shown, with `file` opened in it when one is given."""
    from .main_window import MainWindow

    window = MainWindow(settings)
    window.show()
    if file:
        window.document.open(file, ask=False)
    return window


def main(argv: list[str] | None = None) -> int:
    if sys.platform == "win32":  # torch before Qt there (DLL initialisation order),
        import torch  # noqa: F401  for the exports and training that load it later
    from PySide6.QtWidgets import QApplication

    from ..files import APP

    app = QApplication.instance() or QApplication(sys.argv)
    if argv is None:
        argv = app.arguments()[1:]  # without the options Qt took for itself
    args = parse_arguments(argv)
    app.setOrganizationName(APP)
    app.setApplicationName(APP)
    window = open_window(args.file)  # noqa: F841  (kept alive while the app runs)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
