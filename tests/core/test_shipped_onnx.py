"""The shipped models' ONNX forms: one beside each checkpoint, giving the
checkpoint's own answers, so that the app starts without torch."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from mnist_canvas.models.checkpoint_file import load_checkpoint
from mnist_canvas.models.classifier import shipped_weights_dir
from mnist_canvas.models.engine import (
    FEATURES,
    Session,
    onnx_for_checkpoint,
    session_for_checkpoint,
    shipped_onnx,
)

CHECKPOINTS = sorted(shipped_weights_dir().glob("*.safetensors"))


def inputs() -> np.ndarray:
    """Inputs of every kind a model meets: blank, digit-like, noise."""
    rng = np.random.default_rng(0)
    batch = np.zeros((6, 1, 28, 28), np.float32)
    batch[1, 0, 4:24, 12:16] = 2.8  # a bar of ink, MNIST-normalised
    batch[2, 0, 6:9, 6:22] = 2.8
    batch[3:] = rng.normal(size=(3, 1, 28, 28))
    return batch - 0.42  # the background of MNIST-normalised digits


@pytest.mark.parametrize("checkpoint", CHECKPOINTS, ids=lambda p: p.stem)
def test_each_shipped_checkpoint_has_its_export_beside_it(checkpoint):
    shipped = shipped_onnx(checkpoint)
    assert shipped.is_file(), (
        f"{checkpoint.name} has no export of its weights: run "
        "mnist-canvas-export --ship weights/*.safetensors"
    )
    model, _ = load_checkpoint(checkpoint)
    session = Session(shipped)
    batch = inputs()
    with torch.inference_mode():
        expected = model.eval()(torch.from_numpy(batch)).numpy()
    np.testing.assert_allclose(session.run(batch), expected, atol=1e-4, rtol=1e-4)
    assert session.has_output(FEATURES)  # what the neighbour index reads
    exported = Session(onnx_for_checkpoint(checkpoint, shipped=False))
    np.testing.assert_allclose(
        session.run(batch, FEATURES), exported.run(batch, FEATURES), atol=1e-5
    )


def test_no_stale_exports_are_shipped():
    wanted = {shipped_onnx(c) for c in CHECKPOINTS}
    assert set((shipped_weights_dir() / "onnx").glob("*.onnx")) == wanted


def test_a_changed_checkpoint_is_not_read_by_its_old_export(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    weights = tmp_path / "weights"
    (weights / "onnx").mkdir(parents=True)
    mlp = shipped_weights_dir() / "mlp.safetensors"
    copy = weights / "mlp.safetensors"
    copy.write_bytes(mlp.read_bytes())
    beside = shipped_onnx(copy)
    beside.write_bytes(shipped_onnx(mlp).read_bytes())
    assert onnx_for_checkpoint(copy) == beside
    copy.write_bytes((shipped_weights_dir() / "cnn.safetensors").read_bytes())
    assert (
        onnx_for_checkpoint(copy).parent == tmp_path / "cache" / "mnist-canvas" / "onnx"
    )


def test_a_damaged_shipped_export_is_kept_and_the_model_still_loads(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "onnx").mkdir()
    copy = tmp_path / "mlp.safetensors"
    copy.write_bytes((shipped_weights_dir() / "mlp.safetensors").read_bytes())
    shipped_onnx(copy).write_bytes(b"not a model")
    session = session_for_checkpoint(copy)
    assert session.run(inputs()).shape == (6, 10)
    assert shipped_onnx(copy).read_bytes() == b"not a model"  # never removed


def test_loading_a_shipped_model_in_a_fresh_install_needs_no_torch(tmp_path):
    code = (
        "import sys; from mnist_canvas.models.classifier import Classifier; "
        "Classifier.load(); print('torch' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # fmt: skip
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "False"
    assert not (tmp_path / "mnist-canvas" / "onnx").exists()  # nothing exported
