"""Start the app: `mnist-canvas` or `python -m mnist_canvas`."""

from __future__ import annotations

import sys


def main() -> int:
    import torch  # noqa: F401  (before Qt: DLL initialisation order on Windows)
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("mnist-canvas")
    app.setApplicationName("mnist-canvas")
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
