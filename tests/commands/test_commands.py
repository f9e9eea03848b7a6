"""Every command is a console script and also runs as `python -m mnist_canvas.NAME`."""

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

SCRIPTS = {
    ep.name: ep.value
    for ep in entry_points(group="console_scripts")
    if ep.dist is not None and ep.dist.name == "mnist-canvas"
}
# The `python -m` forms other tools call by name; each must stay a command.
RELIED_ON = ["evaluate", "explain", "import_model", "personalise", "export"]


def _module(target: str) -> str:
    return target.split(":")[0]


def test_every_command_module_is_a_console_script():
    modules = {_module(target) for target in SCRIPTS.values()}
    assert {f"mnist_canvas.{name}" for name in RELIED_ON} <= modules
    assert all(name.startswith("mnist-canvas-") for name in SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_command_answers_help_in_both_forms(name):
    script = Path(sys.executable).parent / name
    if not script.exists():
        pytest.skip(f"{name} is not installed in this environment (pip install -e .)")
    for argv in ([str(script), "--help"],
                 [sys.executable, "-m", _module(SCRIPTS[name]), "--help"]):  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        assert "usage:" in done.stdout, argv
