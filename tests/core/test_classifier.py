import json

import numpy as np
import pytest
import torch

from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.checkpoint_file import CheckpointError, load_checkpoint
from mnist_canvas.models.classifier import (
    Classifier,
    predict,
    predict_many,
    resolve_model,
)
from mnist_canvas.models.engine import onnx_for_checkpoint
from mnist_canvas.models.registry import REGISTRY


def one():
    return Drawing(strokes=(Stroke.from_points([(150, 50), (140, 230)], 18),))


def zero():
    ring = [
        (140 + 60 * np.cos(t), 140 + 90 * np.sin(t)) for t in np.linspace(0, 6.3, 60)
    ]
    return Drawing(strokes=(Stroke.from_points(ring, 18),))


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_shipped_model_loads_and_predicts(name):
    clf = Classifier.load(name)
    prediction = clf.predict(one())
    p = prediction.probabilities
    assert p.shape == (10,) and p.sum() == pytest.approx(1.0, abs=1e-5)
    assert (p >= 0).all()
    assert clf.metadata["model"]["arch"] == name
    assert clf.metadata["metrics"]["mnist_test_accuracy"] > 0.9


def test_default_model_reads_simple_digits():
    clf = Classifier.load()
    assert clf.predict(one()).digit == 1
    assert clf.predict(zero()).digit == 0


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_engine_gives_torch_s_probabilities(name):
    model, _ = load_checkpoint(resolve_model(name))
    clf = Classifier.load(name)
    inputs = torch.randn(16, 28, 28).numpy()
    with torch.inference_mode():
        expected = torch.softmax(model(torch.from_numpy(inputs)[:, None]), 1)
    np.testing.assert_allclose(clf.probabilities(inputs), expected, atol=1e-5)


def test_the_onnx_form_is_cached_by_content_and_never_beside_the_weights(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = resolve_model("mlp")
    copy = tmp_path / "weights" / "mine.safetensors"
    copy.parent.mkdir()
    copy.write_bytes(source.read_bytes())
    first = onnx_for_checkpoint(copy)
    assert first.is_file() and tmp_path / "cache" in first.parents
    assert sorted(p.name for p in copy.parent.iterdir()) == ["mine.safetensors"]
    stamp = first.stat().st_mtime_ns
    assert onnx_for_checkpoint(copy) == first and first.stat().st_mtime_ns == stamp
    other = resolve_model("cnn")
    copy.write_bytes(other.read_bytes())  # new content: a new export
    assert onnx_for_checkpoint(copy) != first


@pytest.mark.parametrize("damage", [b"", b"\x08\x07 not a model", None])
def test_a_damaged_cached_export_is_made_again(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "mlp.safetensors"  # no export shipped beside it
    source.write_bytes(resolve_model("mlp").read_bytes())
    cached = onnx_for_checkpoint(source)
    good = cached.read_bytes()
    data = good[: len(good) // 2] if damage is None else damage  # None: truncated
    cached.write_bytes(data)
    model = Classifier.load(source)  # once "cannot load it" at every start
    assert model.predict(one()).digit == 1 and model.predict(zero()).digit == 0
    assert cached.read_bytes() == good


class Broken(Classifier):
    """A model whose every run fails, as a damaged or odd model would."""

    def __init__(self, name):
        super().__init__(None, {}, name)

    def probabilities(self, inputs):
        raise RuntimeError("this model is broken")


def test_one_failing_model_does_not_silence_the_others():
    good = Classifier.load()
    readings, errors = predict(one(), [Broken("bad"), good])
    assert readings[good.name].digit == 1
    assert "bad" not in readings and "this model is broken" in errors["bad"]


def test_models_with_the_same_switches_share_one_preprocessing():
    a, b = Classifier.load("mlp"), Classifier.load("cnn")
    readings, _ = predict(one(), [a, b])
    assert readings["mlp"].preprocessed is readings["cnn"].preprocessed


def test_predict_many_matches_predict_and_marks_empty_drawings():
    clf = Classifier.load()
    many = predict_many([one(), Drawing(), zero()], clf)
    np.testing.assert_allclose(many[0], clf.predict(one()).probabilities, atol=1e-6)
    assert np.isnan(many[1]).all() and many[2].argmax() == 0


def test_empty_drawing_gets_no_prediction():
    prediction = Classifier.load().predict(Drawing())
    assert prediction.is_empty
    assert prediction.probabilities is None and prediction.digit is None


def test_switching_steps_changes_the_input():
    clf = Classifier.load()
    normal = clf.predict(one())
    raw = clf.predict(one(), {"scale": False})
    assert raw.preprocessed.input.max() > 100 > normal.preprocessed.input.max()


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="no such model file"):
        Classifier.load("no-such-model")
    with pytest.raises(CheckpointError, match="no such model file"):
        Classifier.load(tmp_path / "x.safetensors")


def test_loaded_models_load_a_file_again_only_when_it_changes(tmp_path):
    import os

    from mnist_canvas.models.classifier import LoadedModels

    path = tmp_path / "m.safetensors"
    path.write_bytes(b"first")
    loads, reloaded = [], []
    models = LoadedModels(lambda p: loads.append(p.read_bytes()) or object(),
                          reloaded.append)  # fmt: skip
    first = models.get("m", path)
    assert models.get("m", path) is first and loads == [b"first"]
    path.write_bytes(b"second")
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 10**9))
    assert models.get("m", path) is not first
    assert loads == [b"first", b"second"] and reloaded == ["m"]
    # Renamed over it within one tick of a coarse clock: the same time stamp.
    stamp = path.stat().st_mtime_ns
    (tmp_path / "new").write_bytes(b"third")
    os.utime(tmp_path / "new", ns=(1, stamp))
    os.replace(tmp_path / "new", path)
    models.get("m", path)
    assert loads[-1] == b"third"


def test_a_model_answering_with_infinities_is_a_model_error(tmp_path, monkeypatch):
    from safetensors.torch import load_file, save_file

    from mnist_canvas.models.checkpoint_file import META_KEY, read_metadata
    from mnist_canvas.models.engine import ModelError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = resolve_model("mlp")
    tensors = {k: v * 3e37 if v.is_floating_point() else v
               for k, v in load_file(source).items()}  # fmt: skip
    huge = tmp_path / "huge.safetensors"
    save_file(tensors, huge, metadata={META_KEY: json.dumps(read_metadata(source))})
    model = Classifier.load(huge)  # finite weights: it loads
    with pytest.raises(ModelError, match="not numbers"):
        model.predict(one())  # once "nan% sure", then errors in every paint


def test_models_exported_on_several_threads_at_once_all_export():
    import threading

    from mnist_canvas.models.engine import onnx_bytes

    models = [load_checkpoint(resolve_model(n))[0] for n in ("mlp", "cnn-bn")]
    errors = []

    def export(model):
        for _ in range(3):
            try:
                onnx_bytes(model)
            except Exception as error:  # half of them failed, unserialised
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=export, args=(m,)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_onnx_runtime_s_failures_are_told_without_its_codes():
    from onnx import TensorProto, helper

    from mnist_canvas.models.engine import ModelError, Session

    flat = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 784])
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "flat", [flat],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 784])],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    session = Session(model.SerializeToString())
    with pytest.raises(ModelError) as failed:
        session.run(np.zeros((1, 1, 28, 28)))
    # Once "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : … Please fix either
    # the inputs/outputs or the model."
    assert "Invalid rank for input: x Got: 4 Expected: 2" in str(failed.value)
    assert "ONNXRuntimeError" not in str(failed.value)
    assert "INVALID_ARGUMENT" not in str(failed.value)
    assert "Please fix" not in str(failed.value)
    with pytest.raises(ModelError, match=r"cannot load it \(") as failed:
        Session(b"not a model")
    assert "ONNXRuntimeError" not in str(failed.value)


@pytest.mark.parametrize("kind", ["ours", "imported"])
def test_batches_are_read_by_a_two_thread_session_with_the_same_answers(kind, tmp_path):
    from onnx_models import imported_model

    from mnist_canvas.models.classifier import read_inputs
    from mnist_canvas.models.convention import Convention

    if kind == "ours":
        model = Classifier.load("mlp")
    else:
        convention = Convention("nhwc", "0-255", "black-on-white")
        model = Classifier.load(imported_model(tmp_path, convention))
    batches = model.for_batches()
    assert batches is not model and batches is model.for_batches()  # kept
    assert batches.session is not model.session and batches.name == model.name
    inputs = np.random.default_rng(0).random((120, 28, 28), np.float32)
    empty = np.zeros(120, bool)
    empty[3] = True
    calls = []
    run = batches.session.run
    batches.session.run = lambda *a, **k: calls.append(1) or run(*a, **k)
    found = read_inputs(inputs, empty, model, batch=50)
    assert len(calls) == 3  # 120 inputs: the batch session, 50 at a time
    assert np.isnan(found[3]).all()
    np.testing.assert_allclose(
        np.delete(found, 3, 0), np.delete(model.probabilities(inputs), 3, 0),
        atol=1e-6,
    )  # fmt: skip
