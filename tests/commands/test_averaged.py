"""Models that average members: one network, trained member by member or
joined from trained checkpoints (`train.py --members`)."""

from dataclasses import replace
from itertools import pairwise

import pytest
import torch
from training_data import small_config, synthetic

from mnist_canvas import train_cli
from mnist_canvas.models.architectures import average_of, build_model
from mnist_canvas.models.checkpoint_file import load_checkpoint, read_metadata
from mnist_canvas.models.engine import Session, onnx_bytes
from mnist_canvas.models.registry import ModelConfig
from mnist_canvas.training.config import TrainConfig
from mnist_canvas.training.fit import evaluate, fit, mnist_split

WIDE, PAIR = ModelConfig("cnn-bn-wide"), ModelConfig("cnn-bn-wide-x2")


def test_the_joined_network_outputs_the_mean_of_its_members_logits():
    torch.manual_seed(0)
    a, b = (build_model(WIDE).eval() for _ in range(2))
    x = torch.rand(6, 1, 28, 28)
    with torch.no_grad():
        mean = (a(x) + b(x)) / 2
        assert torch.allclose(average_of([a, b]).eval()(x), mean, atol=1e-5)
        assert not torch.allclose(a(x), mean, atol=1e-3)  # the members differ


def test_the_joined_network_runs_in_onnx_runtime_with_all_members_features():
    torch.manual_seed(0)
    a, b = (build_model(WIDE).eval() for _ in range(2))
    joined = average_of([a, b]).eval()
    x = torch.rand(3, 1, 28, 28)
    session = Session(onnx_bytes(joined))
    with torch.no_grad():
        expected = joined(x).numpy()
        features = torch.cat([a[:-1](x), b[:-1](x)], 1).numpy()
    assert session.run(x.numpy()) == pytest.approx(expected, abs=1e-4)
    assert session.run(x.numpy(), "features") == pytest.approx(features, abs=1e-4)


def test_fit_trains_each_member_with_its_own_seed_then_joins_them():
    config = small_config(model=PAIR, train_size=200, epochs=2)
    data = synthetic()
    progress = list(fit(config, data))
    epochs = [p.epoch for p in progress if p.phase == "epoch"]
    assert epochs == [1, 2, 3, 4] and progress[0].epochs == 4
    assert all(a.elapsed <= b.elapsed for a, b in pairwise(progress))
    done = progress[-1]
    assert done.phase == "done" and done.epoch == 4
    branches = done.model[0].branches
    assert not torch.equal(branches[0][0].weight, branches[1][0].weight)
    # member 2 is the single model trained with seed + 1
    second = list(fit(replace(config, model=WIDE, seed=1), data))[-1].model
    assert torch.equal(branches[1][0].weight, second[0].weight)
    val = mnist_split(config, data)[1]
    assert done.val_accuracy == evaluate(done.model, val)[1]


def member(tmp_path, seed, **changes):
    config = small_config(**{"model": WIDE, "train_size": 200, "seed": seed, **changes})
    out = tmp_path / f"member-{seed}-{len(changes)}.safetensors"
    argv = ["--config-json", config.to_json(), "--out", str(out)]
    assert train_cli.run(argv) == 0
    return str(out)


def join(tmp_path, *members, model="cnn-bn-wide-x2", options=()):
    out = tmp_path / "pair.safetensors"
    argv = ["--model", model, "--members", *members, "--out", str(out), *options]
    return train_cli.run(argv), out


def test_train_py_joins_trained_members_and_records_them(tmp_path, offline, capsys):
    a, b = member(tmp_path, 1), member(tmp_path, 2)
    status, out = join(tmp_path, a, b)
    assert status == 0
    assert "warning" not in capsys.readouterr().err
    pair, meta = load_checkpoint(out)
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        mean = (load_checkpoint(a)[0](x) + load_checkpoint(b)[0](x)) / 2
        assert torch.allclose(pair(x), mean, atol=1e-5)
    assert meta["model"]["arch"] == "cnn-bn-wide-x2"
    assert [m["seed"] for m in meta["members"]] == [1, 2]
    assert meta["members"][0]["command"] == read_metadata(a)["command"]
    # the members' recipe: what train.py --model cnn-bn-wide-x2 --seed 1 trains
    recipe = small_config(model=PAIR, train_size=200, seed=1)
    assert TrainConfig.from_dict(meta["training"]) == recipe
    assert meta["epochs_run"] == 2 and "--members" in meta["command"]
    val = mnist_split(small_config(), synthetic())[1]
    assert meta["metrics"]["val_accuracy"] == evaluate(pair, val)[1]
    # Options of a training given with --members are named, not silently lost.
    out.unlink()
    assert join(tmp_path, a, b, options=["--epochs", "7", "--unscaled"])[0] == 0
    err = capsys.readouterr().err
    assert "--epochs, --unscaled ignored" in err
    assert read_metadata(out)["training"]["epochs"] == recipe.epochs


def test_members_that_do_not_make_one_model_are_refused(tmp_path, offline, capsys):
    a, b = member(tmp_path, 1), member(tmp_path, 2)
    other_recipe = member(tmp_path, 3, epochs=2)
    narrow = member(tmp_path, 4, model=ModelConfig("cnn-bn"))
    capsys.readouterr()
    cases = [
        ((a,), "averages 2"),
        ((a, a), "seeds must be n, n + 1"),
        ((b, a), "seeds must be n, n + 1"),
        ((a, other_recipe), "different recipes"),
        ((a, narrow), "needs"),
        ((a, "/no/such.safetensors"), "no such file"),
    ]
    for members, reason in cases:
        status, out = join(tmp_path, *members)
        assert status == 2 and not out.exists()
        assert reason in capsys.readouterr().err
    status, out = join(tmp_path, a, b, model="cnn-bn")
    assert status == 2 and "cnn-bn-wide-x2" in capsys.readouterr().err


def test_about_says_the_shipped_default_averages_two_seeds():
    from mnist_canvas.app.about import model_summary
    from mnist_canvas.models.catalogue import read_entry
    from mnist_canvas.models.classifier import shipped_weights_dir

    folder = shipped_weights_dir()
    pair = model_summary(read_entry(folder / "cnn-bn-wide-x2.safetensors", True))
    single = model_summary(read_entry(folder / "cnn-bn-wide.safetensors", True))
    assert "Averages 2 models trained apart (seeds 4, 5)" in pair
    assert "Averages" not in single
