"""Checkpoint metadata: every key the code reads is checked when it is read."""

import json

import pytest
from safetensors.numpy import save_file

from mnist_canvas.checkpoint import main as checkpoint_main
from mnist_canvas.evaluate import main as evaluate_main
from mnist_canvas.models.checkpoint_file import CheckpointError, read_metadata

GOOD = {
    "model": {"arch": "mlp", "activation": "relu", "dropout": False},
    "parameters": 203530,
    "preprocessing": {"pen": True, "center": False},
    "metrics": {"mnist_test_accuracy": 0.98, "val_accuracy": None},
    "training": {"augment": ["rotate"], "train_size": None},
    "data": {"mnist": "/data/mnist", "validation": 5000, "pen_train": None},
    "epochs_run": 3,
    "train_seconds": 12.5,
    "command": "python train.py",
    "date": "2026-11-22T07:37:37+00:00",
    "versions": {"torch": "2.14"},
}


def with_metadata(tmp_path, text: str):
    path = tmp_path / "odd.safetensors"
    save_file({}, str(path), metadata={"mnist_canvas": text})
    return path


BAD = [
    ({"model": None}, "'model' must be an object, not None"),
    ({"model": "mlp"}, "'model' must be an object"),
    ({"model": {}}, "'model.arch' is missing"),
    ({"model": {"arch": ["mlp"]}}, "'model.arch' must be a string"),
    ({"model": {"arch": "mlp", "dropout": "yes"}}, "'model.dropout' must be"),
    ({"model": {"arch": "nope"}}, "Unknown model 'nope'"),
    ({"model": {"arch": "mlp", "activation": 3}}, "'model.activation' must be"),
    ({"preprocessing": "x"}, "'preprocessing' must be an object, not 'x'"),
    ({"preprocessing": {"center": "yes"}}, "'preprocessing.center' must be true"),
    ({"preprocessing": {"blur": True}}, "unknown step 'blur'"),
    ({"metrics": []}, "'metrics' must be an object"),
    ({"metrics": {"mnist_test_accuracy": "99%"}}, "'metrics.mnist_test_accuracy'"),
    ({"metrics": {"pen_dev_accuracy": True}}, "'metrics.pen_dev_accuracy'"),
    ({"metrics": {"mnist_test_accuracy": 1e308}}, "a share, from 0 to 1"),
    ({"parameters": "many"}, "'parameters' must be a whole number"),
    ({"parameters": -1}, "'parameters' must be a whole number"),
    ({"epochs_run": 2.5}, "'epochs_run' must be a whole number"),
    ({"train_seconds": "slow"}, "'train_seconds' must be a number"),
    ({"command": ["python"]}, "'command' must be a string"),
    ({"date": 2026}, "'date' must be a string"),
    ({"training": None}, "'training' must be an object"),
    ({"training": {"augment": "rotate"}}, "'training.augment' must be a list"),
    ({"data": {"mnist": {"path": 1}}}, "'data.mnist' must be a string"),
    ({"versions": 1}, "'versions' must be an object"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_each_badly_typed_key_is_named(tmp_path, change, message):
    path = with_metadata(tmp_path, json.dumps({**GOOD, **change}))
    with pytest.raises(CheckpointError, match=r"odd\.safetensors: .*" + message):
        read_metadata(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{", "not usable"),
        ("[" * 100_000, "nested too deeply|not usable"),
    ],
)
def test_metadata_that_is_not_an_object_is_refused(tmp_path, text, message):
    with pytest.raises(CheckpointError, match=message):
        read_metadata(with_metadata(tmp_path, text))


def test_good_metadata_is_returned_whole(tmp_path):
    assert read_metadata(with_metadata(tmp_path, json.dumps(GOOD))) == GOOD
    minimal = {"model": {"arch": "cnn"}}
    assert read_metadata(with_metadata(tmp_path, json.dumps(minimal))) == minimal


def test_an_unreadable_file_is_a_checkpoint_error(tmp_path):
    folder = tmp_path / "folder.safetensors"
    folder.mkdir()
    with pytest.raises(CheckpointError, match="no such file"):
        read_metadata(folder)


@pytest.mark.parametrize("table", [[], ["--table"]])
def test_checkpoint_cli_prints_one_line_and_exits_2(tmp_path, capsys, table):
    path = with_metadata(tmp_path, json.dumps({**GOOD, "model": None}))
    assert checkpoint_main([*table, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'model' must be an object" in err


def test_evaluator_prints_one_line_and_exits_2(tmp_path, capsys):
    path = with_metadata(tmp_path, json.dumps({**GOOD, "preprocessing": "x"}))
    code = evaluate_main(["--mnist", str(tmp_path), "--model", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "'preprocessing'" in err


def test_checkpoint_cli_checks_the_weights_too(tmp_path, capsys):
    """Good metadata over weights that do not fit the architecture: exit 2."""
    import numpy as np
    from safetensors.numpy import save_file

    path = tmp_path / "wrong.safetensors"
    weights = {"net.1.weight": np.zeros((3, 3), np.float32)}
    save_file(weights, str(path), metadata={"mnist_canvas": json.dumps(GOOD)})
    assert checkpoint_main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "do not fit the mlp architecture" in err


def test_checkpoint_cli_reads_a_shipped_checkpoint(capsys):
    from mnist_canvas.models.classifier import shipped_weights_dir

    assert checkpoint_main([str(shipped_weights_dir() / "mlp.safetensors")]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["arch"] == "mlp"
