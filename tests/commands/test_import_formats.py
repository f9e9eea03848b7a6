"""Models as people have them: ONNX with external data, Keras, TorchScript,
3-channel inputs; the files that are refused, each saying what it is and how
to export it; conversions that fail or hang. Nothing half-stored, ever."""

import json

import numpy as np
import onnx
import pytest
from foreign_models import (
    keras,
    keras_mlp,
    not_a_digit_model,
    pickled,
    saved_model,
    state_dict,
    tflite,
    torchscript,
)
from onnx_models import wrapped_model

from mnist_canvas import evaluate, import_model
from mnist_canvas.files import user_models_dir
from mnist_canvas.models import convert
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.convention import Convention

IMAGES = 300
KERAS = {"layout": "nhwc", "range": "0-1", "polarity": "white-on-black"}


@pytest.fixture(autouse=True)
def own_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


def _run(capsys, *args) -> tuple[int, str, str]:
    code = import_model.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _import(capsys, *args) -> dict:
    code, out, err = _run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out.splitlines()[-1])


def _nothing_saved() -> bool:
    folder = user_models_dir()
    return not folder.exists() or not any(folder.iterdir())


def _self_contained(path) -> bool:
    model = onnx.load_model_from_string(path.read_bytes())
    return not any(
        t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer
    )


def test_onnx_with_external_data_is_stored_whole_from_any_folder(
    tmp_path, monkeypatch, capsys
):
    source = wrapped_model(tmp_path, Convention("flat", "0-1", "white-on-black"))
    apart = tmp_path / "apart"
    apart.mkdir()
    model = onnx.load(str(source))
    onnx.save(model, str(apart / "m.onnx"), save_as_external_data=True,
              location="m.onnx.data", size_threshold=0)  # fmt: skip
    assert (apart / "m.onnx.data").stat().st_size > 100_000
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _import(capsys, apart / "m.onnx")
    assert result["format"] == "onnx"
    stored = user_models_dir() / "m.onnx"
    assert _self_contained(stored) and stored.stat().st_size > 100_000
    for part in apart.iterdir():
        part.unlink()  # the stored copy needs nothing of the original
    blank = np.zeros((1, 28, 28), np.float32)
    assert Classifier.load(stored).probabilities(blank).shape == (1, 10)


def test_missing_external_data_is_named(tmp_path, capsys):
    source = wrapped_model(tmp_path, Convention("flat", "0-1", "white-on-black"))
    onnx.save(onnx.load(str(source)), str(tmp_path / "m.onnx"), location="m.onnx.data",
              save_as_external_data=True, size_threshold=0)  # fmt: skip
    (tmp_path / "m.onnx.data").unlink()
    code, _, err = _run(capsys, tmp_path / "m.onnx")
    assert code == 2 and "keeps its weights in a file beside it" in err
    assert _nothing_saved()


@pytest.mark.parametrize(
    ("layout", "channels_last"), [("nchw3", False), ("nhwc3", True)]
)
def test_torchscript_with_three_channels_is_converted_and_measured(
    tmp_path, mnist_dir, capsys, layout, channels_last
):
    source = torchscript(tmp_path / "grey.pt", channels_last)
    result = _import(capsys, source, "--mnist", mnist_dir, "--images", IMAGES)
    assert result["format"] == "torchscript"
    assert result["convention"] == {
        "layout": layout, "range": "0-1", "polarity": "white-on-black"
    }  # fmt: skip
    assert result["accuracy"] > 0.95 and result["candidates"][0]["nll"] < 0.2
    assert _self_contained(user_models_dir() / "grey.onnx")
    side = json.loads((user_models_dir() / "grey.onnx.json").read_text())
    assert side["format"] == "torchscript" and side["convention_measured"] is True


@pytest.fixture
def with_keras():
    keras()


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_files_are_converted_and_read_like_the_original(
    tmp_path, mnist_dir, capsys, with_keras, suffix
):
    source = keras_mlp(tmp_path / f"theirs{suffix}")
    result = _import(capsys, source, "--mnist", mnist_dir, "--images", IMAGES)
    assert result["format"] == suffix[1:]
    assert result["convention"] == KERAS and result["accuracy"] > 0.95
    k = keras()
    images = np.random.default_rng(0).random((4, 28, 28), np.float32)
    original = k.models.load_model(source).predict(images[..., None], verbose=0)
    stored = Classifier.load(result["name"])
    assert stored.output == "probabilities"
    np.testing.assert_allclose(stored.probabilities(images), original, atol=1e-5)


def test_the_same_file_twice_and_a_changed_source(tmp_path, capsys, mnist_dir):
    # With MNIST the first import's convention is measured; without it, it is
    # assumed, and importing the same bytes again replaces that import.
    source = torchscript(tmp_path / "grey.pt")
    assert _run(capsys, source, "--convention", "nchw3,0-1,white-on-black")[0] == 0
    code, _, err = _run(capsys, source, "--name", "again")
    assert code == 2 and "grey.pt is imported already, as 'grey'" in err
    torchscript(source, channels_last=True)  # the source changes
    code, _, err = _run(capsys, source)
    assert code == 2 and "which has changed since" in err
    assert sorted(p.name for p in user_models_dir().iterdir()) == [
        "grey.onnx", "grey.onnx.json"
    ]  # fmt: skip


REFUSED = [
    ("weights.pt", state_dict, "holds only weights (a PyTorch state_dict, in a",
     "model.load_state_dict(torch.load('weights.pt')); torch.onnx.export("),
    ("model.pth", pickled, "a pickle (a whole PyTorch model saved with torch.save",
     "torch.load('model.pth', weights_only=False); torch.onnx.export("),
    ("saved", saved_model, "is a TensorFlow SavedModel",
     "python -m tf2onnx.convert --saved-model"),
    ("m.tflite", tflite, "is a TensorFlow Lite model",
     "python -m tf2onnx.convert --tflite 'm.tflite' --output model.onnx"),
]  # fmt: skip


IDS = ["state-dict", "pickle", "saved-model", "tflite"]


@pytest.mark.parametrize(("name", "make", "what", "line"), REFUSED, ids=IDS)
def test_refused_files_say_what_they_are_and_how_to_export(
    tmp_path, capsys, name, make, what, line
):
    path = make(tmp_path / name)
    code, _, err = _run(capsys, path, "--json")
    assert code == 2 and what in err and line in err, err
    assert _nothing_saved()
    assert evaluate.main(["--model", str(path), "--mnist", str(tmp_path)]) == 2
    assert what in capsys.readouterr().err  # evaluate says the same


def test_evaluate_says_a_keras_file_needs_importing(tmp_path, capsys, with_keras):
    path = keras_mlp(tmp_path / "theirs.keras")
    assert evaluate.main(["--model", str(path), "--mnist", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "pickle" not in err and "python -m mnist_canvas.import_model" in err


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_a_lambda_layer_is_refused_without_running_it(
    tmp_path, capsys, with_keras, suffix
):
    k = keras()
    path = keras_mlp(tmp_path / f"lam{suffix}", extra=[k.layers.Lambda(lambda x: x)])
    code, _, err = _run(capsys, path)
    assert code == 2 and "has a Lambda layer" in err and "safe mode" in err
    assert _nothing_saved()


def test_a_custom_layer_is_refused_with_the_way_out(tmp_path, capsys, with_keras):
    k = keras()

    @k.saving.register_keras_serializable(package="tests")
    class Twice(k.layers.Layer):
        def call(self, x):
            return x * 2

    path = keras_mlp(tmp_path / "custom.keras", extra=[Twice()])
    code, _, err = _run(capsys, path)
    assert code == 2 and "uses a layer Keras cannot rebuild" in err
    assert "model.predict(np.zeros((1, *model.input_shape[1:])))" in err
    assert "model.export('model.onnx', format='onnx')" in err
    assert _nothing_saved()


def test_without_keras_the_message_names_the_extra(tmp_path, capsys, monkeypatch):
    fake = tmp_path / "no-keras" / "keras"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named keras')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    (tmp_path / "m.keras").write_bytes(_keras_like_zip(tmp_path))
    code, _, err = _run(capsys, tmp_path / "m.keras")
    assert code == 2 and "pip install 'mnist-canvas[keras]'" in err
    assert _nothing_saved()


def _keras_like_zip(tmp_path) -> bytes:
    import zipfile

    path = tmp_path / "k.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("metadata.json", "config.json", "model.weights.h5"):
            archive.writestr(name, "{}")
    return path.read_bytes()


def test_a_conversion_that_takes_too_long_is_stopped(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(convert, "TIMEOUT_S", 0.2)  # less than importing torch
    code, _, err = _run(capsys, torchscript(tmp_path / "slow.pt"))
    assert code == 2 and "took over 0.2 s and was stopped" in err
    assert _nothing_saved()


def test_a_conversion_that_fails_says_why(tmp_path, capsys):
    code, _, err = _run(capsys, not_a_digit_model(tmp_path / "five.pt"))
    assert code == 2 and "five.pt runs on none of the MNIST input shapes" in err
    path = torchscript(tmp_path / "cut.pt")
    path.write_bytes(path.read_bytes()[:5000])
    code, _, err = _run(capsys, path)
    assert code == 2 and "cut.pt is a damaged zip archive" in err
    assert _nothing_saved()
