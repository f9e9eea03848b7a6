"""Bad files and bad models: a clear message, exit 2, nothing saved. No data."""

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from mnist_canvas import import_model
from mnist_canvas.files import user_models_dir
from mnist_canvas.models import detect
from mnist_canvas.models.imported import convention_assumed


@pytest.fixture(autouse=True)
def own_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)


def _graph_model(path, inputs, nodes, output, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, [output], list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _flat(path, outputs=10, gather=None, weight=0.001):
    """N×784 → MatMul → `outputs` values (then the columns `gather`)."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 784])
    weights = numpy_helper.from_array(np.full((784, outputs), weight, np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y" if not gather else "m"])]
    inits = [weights]
    if gather:  # an index out of range fails only when run
        inits.append(numpy_helper.from_array(np.array(gather, np.int64), "i"))
        nodes.append(helper.make_node("Gather", ["m", "i"], ["y"], axis=1))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    return _graph_model(path, [x], nodes, y, inits)


def _two_inputs(path):
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 784])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 784])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 784])
    return _graph_model(path, [a, b], [helper.make_node("Add", ["a", "b"], ["y"])], y)


def _colour(path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 32, 32])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3, 32, 32])
    return _graph_model(path, [x], [helper.make_node("Relu", ["x"], ["y"])], y)


def _run(capsys, *args):
    code = import_model.main([str(a) for a in args])
    return code, capsys.readouterr()


def _nothing_saved():
    folder = user_models_dir()
    return not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (
            lambda p: p.write_bytes(b"\x00not a model at all" * 50),
            "bad.onnx is not a model this app reads: it is not ONNX, nor Keras",
        ),
        (lambda p: p.write_text(""), "bad.onnx is empty"),
        (_two_inputs, "has 2 inputs (a, b); an MNIST digit model has one"),
        (_colour, "input is N×3×32×32; an MNIST digit model takes N×1×28×28"),
        (lambda p: _flat(p, outputs=26), "output has 26 values; an MNIST digit"),
        (lambda p: _flat(p, gather=[*range(9), 99]), "fails when run"),
        (lambda p: _flat(p, weight=np.nan), "values that are not numbers"),
    ],
    ids=[
        "junk",
        "empty",
        "two-inputs",
        "colour-32",
        "26-outputs",
        "run-time",
        "nan",
    ],
)
def test_bad_models_exit_2_saying_why(tmp_path, capsys, make, expect):
    path = tmp_path / "bad.onnx"
    make(path)
    code, out = _run(capsys, path)
    assert code == 2
    assert expect in out.err and out.err.startswith("error: ")
    assert _nothing_saved()


def test_truncated_file_is_refused(tmp_path, capsys):
    whole = _flat(tmp_path / "whole.onnx")
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    code, out = _run(capsys, cut)
    assert code == 2 and "cut.onnx" in out.err
    assert _nothing_saved()


def test_too_slow_model_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(detect, "TOO_SLOW_S", 0.0)
    code, out = _run(capsys, _flat(tmp_path / "slow.onnx"))
    assert code == 2 and "too slow: one digit takes" in out.err
    assert _nothing_saved()


def test_missing_file_bad_name_and_bad_override(tmp_path, capsys):
    good = _flat(tmp_path / "good.onnx")
    for args, expect in [
        ((tmp_path / "absent.onnx",), "cannot be read"),
        ((good, "--name", "../escape"), "cannot name a model"),
        ((good, "--name", "cnn-bn"), "exists already"),
        ((good, "--convention", "nchw,0-1,white-on-black"), "allows flat, not nchw"),
        ((good, "--convention", "flat,0-9"), "LAYOUT,RANGE,POLARITY"),
    ]:
        code, out = _run(capsys, *args)
        assert code == 2 and expect in out.err, (args, out.err)
    assert _nothing_saved()


def test_without_mnist_the_model_is_saved_unmeasured(tmp_path, capsys):
    code, out = _run(capsys, _flat(tmp_path / "plain.onnx"), "--json")
    assert code == 0 and "Not measured" in out.out
    saved = user_models_dir() / "plain.onnx"
    assert saved.is_file() and (user_models_dir() / "plain.onnx.json").is_file()
    side = json.loads((user_models_dir() / "plain.onnx.json").read_text())
    assert side["convention_measured"] is False and side["format"] == "onnx"
    assert convention_assumed(side)
    # The same bytes again replace the unmeasured import; other bytes do not.
    code, out = _run(capsys, _flat(tmp_path / "plain.onnx"))
    assert code == 0 and "assumed, not measured" in out.out
    code, out = _run(capsys, _flat(tmp_path / "other" / "plain.onnx", weight=0.002))
    assert code == 2 and "exists already" in out.err
