import pkgutil
import subprocess
import sys

import mnist_canvas

# Every module of the package except the Qt layer (and the app's entry point).
CORE = [
    module.name
    for module in pkgutil.walk_packages(mnist_canvas.__path__, "mnist_canvas.")
    if not module.name.startswith("mnist_canvas.app")
    and module.name != "mnist_canvas.__main__"
]


def test_the_core_is_found():
    assert "mnist_canvas.pipeline.preprocess" in CORE
    assert "mnist_canvas.models.classifier" in CORE


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
