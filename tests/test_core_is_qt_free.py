import subprocess
import sys

CORE = [
    "mnist_canvas.drawing", "mnist_canvas.raster", "mnist_canvas.preprocess",
    "mnist_canvas.models", "mnist_canvas.checkpoint", "mnist_canvas.classifier",
    "mnist_canvas.data", "mnist_canvas.augment", "mnist_canvas.training",
    "mnist_canvas.train_cli", "mnist_canvas.evaluate", "mnist_canvas.pictures",
]  # fmt: skip


def test_core_modules_import_no_qt():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE)
        + "qt = sorted(m for m in sys.modules if m.startswith(('PySide', 'PyQt')))\n"
        + "print(','.join(qt))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_the_check_itself_sees_qt_when_it_is_imported():
    code = "import sys, PySide6.QtCore; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True"
