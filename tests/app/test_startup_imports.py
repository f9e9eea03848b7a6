"""The window starts without torch: every model runs in ONNX Runtime, and
torch (over a second to import) loads only when something trains or exports."""

import subprocess
import sys


def test_the_main_window_imports_without_torch():
    code = (
        "import sys, mnist_canvas.app.main_window\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'torchvision')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
