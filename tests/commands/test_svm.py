"""The SVM baseline: trained by its script, run as ONNX through the engine."""

import json

import numpy as np
import pytest
from training_data import synthetic

from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.classifier import Classifier, shipped_weights_dir
from mnist_canvas.models.engine import Session


@pytest.fixture
def svm(monkeypatch):
    pytest.importorskip("sklearn", reason="scikit-learn trains the SVM (extra 'svm')")
    pytest.importorskip("skl2onnx", reason="skl2onnx exports the SVM (extra 'svm')")
    from mnist_canvas import train_svm as svm

    monkeypatch.setattr(svm, "load_mnist", lambda *a, **k: synthetic(6000))
    return svm


def test_the_script_writes_an_onnx_model_the_catalogue_offers(svm, tmp_path, capsys):
    out = tmp_path / "tiny-svm.onnx"
    argv = ["--train-size", "300", "--C", "10", "--gamma", "0.03",
            "--description", "A tiny SVM", "--out", str(out)]  # fmt: skip
    assert svm.run(argv) == 0
    assert "MNIST test accuracy" in capsys.readouterr().out
    meta = json.loads((tmp_path / "tiny-svm.onnx.json").read_text())
    assert meta["command"].endswith(f"--out {out}")
    assert meta["svm"]["support_vectors"] > 0
    entry = Catalogue.scan(tmp_path, tmp_path / "none").get("tiny-svm")
    assert entry.usable and entry.shipped and entry.description == "A tiny SVM"
    model = Classifier.load(out)
    assert isinstance(model.session.session, Session)  # the one engine
    test = synthetic(200, seed=1).test
    p = model.probabilities(test.images.numpy() / 255.0)
    assert p.shape == (200, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert (p.argmax(axis=1) == test.labels.numpy()).mean() > 0.9


@pytest.mark.parametrize(
    "argv",
    [[], ["--out", "model.safetensors"], ["--C", "0", "--out", "m.onnx"],
     ["--gamma", "-1", "--out", "m.onnx"], ["--scaler", "minmax", "--out", "m.onnx"],
     ["--train-size", "3", "--out", "m.onnx"]],
)  # fmt: skip
def test_bad_arguments_exit_2_with_a_message(svm, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        svm.run(argv)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_an_existing_file_is_kept(svm, tmp_path):
    out = tmp_path / "kept.onnx"
    out.write_bytes(b"mine")
    assert svm.run(["--train-size", "100", "--out", str(out)]) == 3
    assert out.read_bytes() == b"mine"


def test_tuning_measures_every_candidate_on_validation(svm, capsys):
    assert svm.run(["--tune", "--tune-size", "200", "--val-size", "100"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    from mnist_canvas.training.svm import CANDIDATES

    assert [(r["scaler"], r["C"], r["gamma"]) for r in rows] == CANDIDATES
    assert all(0 <= r["val_accuracy"] <= 1 for r in rows)


def test_the_shipped_svm_is_onnx_with_probabilities_and_no_pickle():
    folder = shipped_weights_dir()
    assert (folder / "svm.onnx").is_file() and (folder / "svm.onnx.json").is_file()
    assert not [*folder.glob("*.pkl"), *folder.glob("*.joblib")]
    found = Catalogue.scan(user_dir=folder / "none")
    for name in ("svm", "cause-svm-gamma"):
        assert (folder / f"{name}.onnx").stat().st_size < 20e6  # no big files
        assert found.get(name).usable and found.get(name).description
        model = Classifier.load(name)
        assert model.output == "probabilities"
        assert [o.name for o in model.session.session.outputs] == ["probabilities"]


@pytest.mark.slow
def test_the_shipped_svm_reads_mnist_test(mnist):
    model = Classifier.load("svm")
    # Every other test image: the first thousands alone are harder than the rest
    # (97.16 % on the even indices, 96.84 % on the odd ones, 97.00 % on all).
    images, labels = mnist.test.images[::2].numpy(), mnist.test.labels[::2]
    p = model.probabilities(images / 255.0)
    assert (p.argmax(axis=1) == labels.numpy()).mean() >= 0.97
