"""The conversion commands in docs/your-own-model.md run as written, and what
they write imports. Each ```python block after a `<!-- test: KIND -->` line
runs in a fresh interpreter with a small `model` of that KIND (torch or keras)
already made."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import onnx
import pytest

from mnist_canvas import import_model
from mnist_canvas.files import user_models_dir

PAGE = Path(__file__).resolve().parents[2] / "docs" / "your-own-model.md"
BLOCK = re.compile(r"<!-- test: (\w+) -->\n```python\n(.*?)```", re.DOTALL)
PRELUDES = {
    "torch": """
import torch

class Net(torch.nn.Module):  # a tutorial's small network
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.fc = torch.nn.Linear(4 * 13 * 13, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))

model = Net()
""",
    "keras": """
import keras

built = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
built.save("built.keras")
model = keras.models.load_model("built.keras")  # as a reader has it: not yet called
""",
}
MADE = ("model.onnx", "model.pt", "model.keras")


def blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_the_commands_it_promises():
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("torch") == 3 and kinds.count("keras") == 2
    text = PAGE.read_text(encoding="utf-8")
    assert "dynamo=False" in text and "external_data=False" in text
    assert 'format="onnx"' in text and "tf2onnx.convert --saved-model" in text


@pytest.mark.parametrize(("kind", "code"), blocks(), ids=lambda v: v[:40])
def test_a_documented_command_writes_a_file_that_imports(
    tmp_path, monkeypatch, capsys, kind, code
):
    if kind == "keras":
        from foreign_models import keras

        keras()  # skips without the keras extra
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)
    env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1")
    script = tmp_path / "export_it.py"  # a file: torch.jit.script reads source
    script.write_text(PRELUDES[kind] + code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    made = [tmp_path / name for name in MADE if (tmp_path / name).exists()]
    assert len(made) == 1, sorted(p.name for p in tmp_path.iterdir())
    assert import_model.main([str(made[0]), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    suffix = made[0].suffix
    assert result["format"] == {".onnx": "onnx", ".pt": "torchscript"}.get(
        suffix, "keras"
    )
    stored = onnx.load_model_from_string(
        (user_models_dir() / "model.onnx").read_bytes()
    )
    assert not any(t.HasField("data_location") and t.data_location == 1
                   for t in stored.graph.initializer)  # fmt: skip
