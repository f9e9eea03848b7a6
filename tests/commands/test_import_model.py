"""Import, detection, export and evaluation of ONNX models on real MNIST.

The models are our shipped weights behind a known input convention
(`onnx_models.wrapped_model`); detection must find that convention, and the
imported model must read MNIST and drawings exactly as the original does.
"""

import json

import numpy as np
import pytest
from onnx_models import wrapped_model

from mnist_canvas import evaluate, export, import_model
from mnist_canvas.diagnosis.examine import examine
from mnist_canvas.files import user_models_dir
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.classifier import Classifier, predict
from mnist_canvas.models.convention import Convention

IMAGES = 300
KERAS_LIKE = Convention("nhwc", "0-255", "black-on-white")
FLAT = Convention("flat", "0-1", "white-on-black")
WRONG = "flat,0-255,black-on-white"
SEVEN = Drawing(
    strokes=(Stroke.from_points([(70, 60), (210, 60), (120, 230)]),)
)  # fmt: skip


@pytest.fixture(autouse=True)
def own_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


def _import(capsys, *args) -> dict:
    code = import_model.main([str(a) for a in args] + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out.splitlines()[-1])


@pytest.mark.parametrize(
    ("convention", "output", "dynamic", "model"),
    [(KERAS_LIKE, "probabilities", False, "mlp"), (FLAT, "logits", True, "cnn"),
     (Convention("nhw", "-1-1", "white-on-black"), "log-probabilities", True, "cnn"),
     (Convention("nchw", "mnist", "black-on-white"), "logits", False, "mlp")],
    ids=["keras-like", "flat-784", "nhw-pm1", "nchw-inverted"],
)  # fmt: skip
def test_detection_recovers_the_convention(
    tmp_path, mnist_dir, convention, output, dynamic, model
):
    path = wrapped_model(tmp_path, convention, output, dynamic, model)
    _, found = examine(path, mnist_dir, IMAGES)
    assert found.chosen == convention and found.output == output
    best, runner_up = found.candidates[0], found.candidates[1]
    assert best.convention == convention and best.accuracy > 0.95
    assert runner_up.accuracy < best.accuracy
    assert found.n == IMAGES and found.latency_ms > 0 and not found.declared


def test_detection_stops_between_candidates_when_asked(tmp_path, mnist_dir):
    path = wrapped_model(tmp_path, KERAS_LIKE, "probabilities", False, "mlp")
    asked = []

    def stop():
        asked.append(True)
        return len(asked) > 2  # two candidates measured, then cancelled

    with pytest.raises(InterruptedError, match="cancelled"):
        examine(path, mnist_dir, IMAGES, stop=stop)
    assert len(asked) == 3


def test_cli_saves_into_the_data_home_with_the_promised_json(
    tmp_path, mnist_dir, capsys
):
    source = wrapped_model(tmp_path, KERAS_LIKE, "probabilities", dynamic=False)
    result = _import(capsys, source, "--name", "keras", "--mnist", mnist_dir,
                     "--images", IMAGES)  # fmt: skip
    assert set(result) == {"name", "path", "convention", "accuracy", "candidates",
                           "format", "close_call"}  # fmt: skip
    assert result["format"] == "onnx" and result["close_call"] is False
    assert result["name"] == "keras"
    assert result["path"] == str(user_models_dir() / "keras.onnx")
    assert str(tmp_path / "data-home") in result["path"]
    assert result["convention"] == KERAS_LIKE.to_dict()
    assert result["accuracy"] == result["candidates"][0]["accuracy"] > 0.95
    assert len(result["candidates"]) == 8
    assert all(
        set(c) == {"convention", "accuracy", "nll"} for c in result["candidates"]
    )
    nlls = [c["nll"] for c in result["candidates"]]
    assert nlls == sorted(nlls) and nlls[0] < 0.2
    entry = Catalogue.scan(user_dir=user_models_dir()).get("keras")
    assert entry.usable and entry.metrics()["mnist_test_accuracy"] > 0.95


def test_override_is_saved_and_used(tmp_path, mnist_dir, capsys):
    source = wrapped_model(tmp_path, FLAT, "logits")
    result = _import(capsys, source, "--name", "forced", "--mnist", mnist_dir,
                     "--images", IMAGES, "--convention", WRONG)  # fmt: skip
    assert result["convention"]["range"] == "0-255"
    assert result["accuracy"] < 0.5  # the wrong convention, as asked
    assert Classifier.load("forced").convention.polarity == "black-on-white"


@pytest.mark.slow
@pytest.mark.parametrize(("convention", "output", "model"),
                         [(KERAS_LIKE, "probabilities", "mlp"),
                          (FLAT, "log-probabilities", "cnn")])  # fmt: skip
def test_evaluator_gives_the_original_accuracy(
    tmp_path, mnist_dir, capsys, convention, output, model
):
    source = wrapped_model(tmp_path, convention, output, model=model)
    _import(capsys, source, "--name", "theirs", "--mnist", mnist_dir,
            "--images", IMAGES)  # fmt: skip
    accuracies = []
    for name in (model, "theirs", user_models_dir() / "theirs.onnx"):
        assert evaluate.main(["--model", str(name), "--mnist", str(mnist_dir),
                              "--json"]) == 0  # fmt: skip
        accuracies.append(json.loads(capsys.readouterr().out)["accuracy"])
    assert accuracies[0] > 0.95
    assert accuracies[1] == accuracies[2] == pytest.approx(accuracies[0], abs=1e-4)


def test_exported_model_imports_to_the_same_probabilities(
    tmp_path, mnist, mnist_dir, capsys
):
    out = tmp_path / "cnn-bn.onnx"
    assert export.main(["cnn-bn", "--onnx", str(out)]) == 0
    capsys.readouterr()
    result = _import(capsys, out, "--name", "ours", "--mnist", mnist_dir,
                     "--images", IMAGES)  # fmt: skip
    assert result["convention"] == {
        "layout": "nchw", "range": "mnist", "polarity": "white-on-black"
    }  # fmt: skip
    original, imported = Classifier.load("cnn-bn"), Classifier.load("ours")
    assert imported.convention is not None and imported.output == "logits"
    readings, errors = predict(SEVEN, [original, imported])
    assert not errors
    np.testing.assert_allclose(
        readings["ours"].probabilities, readings["cnn-bn"].probabilities, atol=1e-5
    )
    pictures = mnist.test.images[:IMAGES].numpy().astype(np.float32)
    ours = original.probabilities((pictures / 255 - 0.1307) / 0.3081)
    theirs = imported.probabilities(pictures / 255)
    np.testing.assert_allclose(theirs, ours, atol=1e-5)


def test_export_of_a_missing_model_exits_2(tmp_path, capsys):
    assert export.main(["no-such-model", "--onnx", str(tmp_path / "x.onnx")]) == 2
    assert "no such checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "x.onnx").exists()


def test_a_model_without_its_sidecar_is_listed_unusable(tmp_path):
    folder = user_models_dir()
    folder.mkdir(parents=True)
    wrapped_model(tmp_path, FLAT).rename(folder / "orphan.onnx")
    entry = Catalogue.scan(user_dir=folder).get("orphan")
    assert not entry.usable and "import it with" in entry.problem


def test_a_sidecar_nested_too_deeply_is_named_not_a_crash(tmp_path):
    from mnist_canvas.models.imported import read_sidecar, sidecar_path

    model = wrapped_model(tmp_path, FLAT)
    sidecar_path(model).write_text("[" * 5000)
    with pytest.raises(ValueError, match=r"not readable JSON.*nested too deeply"):
        read_sidecar(model)


def test_a_close_call_is_said_and_both_are_shown(tmp_path, mnist_dir, capsys):
    # Our MLP is trained with label smoothing, so it is under-confident: fed
    # MNIST-normalised values instead of 0–1 it grows surer and its likelihood
    # matches the true convention's within noise (accuracy differs by a few
    # images). Neither is a clear winner: the import says so.
    source = wrapped_model(tmp_path, FLAT, "logits", model="mlp")
    code = import_model.main([str(source), "--mnist", str(mnist_dir),
                              "--images", str(IMAGES), "--json"])  # fmt: skip
    out = capsys.readouterr().out
    result = json.loads(out.splitlines()[-1])
    assert code == 0 and result["close_call"] is True
    assert "Close call: " in out
    top = {c["convention"]["range"] for c in result["candidates"][:2]}
    assert top == {"0-1", "mnist"}
    first, second = result["candidates"][:2]
    assert abs(first["nll"] - second["nll"]) < 0.05
    side = json.loads((user_models_dir() / f"{source.stem}.onnx.json").read_text())
    assert side["close_call"] is True


def test_likelihood_ranks_and_noise_decides_a_close_call():
    from mnist_canvas.models.detect import _close_call, log_likelihoods

    scores = np.array([[5.0, 0, 0], [0, 5.0, 0]])
    assert log_likelihoods(scores, "logits", [0, 1]).max() > -0.02
    assert log_likelihoods(scores, "logits", [2, 2]).min() < -4.9
    rng = np.random.default_rng(0)
    runner_up = -rng.random(1000)
    assert _close_call(runner_up + rng.normal(0.0, 0.1, 1000), runner_up)
    assert not _close_call(runner_up + 0.05 + rng.normal(0, 0.1, 1000), runner_up)
