import json

import pytest
import torch

from mnist_canvas.models.architectures import BUILDERS, build_model, parameter_count
from mnist_canvas.models.checkpoint_file import (
    CheckpointError,
    load_checkpoint,
    read_metadata,
    save_checkpoint,
)
from mnist_canvas.models.registry import REGISTRY, ModelConfig


def test_every_registered_architecture_has_a_network():
    assert set(BUILDERS) == set(REGISTRY)


@pytest.mark.parametrize("arch", list(REGISTRY))
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_every_model_builds_and_outputs_ten_logits(arch, activation):
    model = build_model(ModelConfig(arch, activation))
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_default_model_is_small():
    assert parameter_count(build_model(ModelConfig("cnn-bn"))) <= 1_000_000


def test_dropout_switch_changes_the_model():
    with_dropout = build_model(ModelConfig("cnn", dropout=True)).train()
    without = build_model(ModelConfig("cnn", dropout=False)).train()
    x = torch.rand(4, 1, 28, 28)
    torch.manual_seed(0)
    assert not torch.equal(with_dropout(x), with_dropout(x))
    assert torch.equal(without(x), without(x))


def test_unknown_architecture_or_activation_is_refused():
    with pytest.raises(ValueError, match="cnn-bn"):
        ModelConfig("transformer")
    with pytest.raises(ValueError, match="relu"):
        ModelConfig("mlp", "tanh")


def metadata(arch="cnn-bn"):
    return {"model": ModelConfig(arch).to_dict(), "note": "test"}


@pytest.mark.parametrize("arch", list(REGISTRY))
def test_checkpoint_round_trip_gives_identical_outputs(arch, tmp_path):
    model = build_model(ModelConfig(arch)).eval()
    x = torch.rand(5, 1, 28, 28)
    path = save_checkpoint(tmp_path / "m.safetensors", model, metadata(arch))
    loaded, meta = load_checkpoint(path)
    assert meta["note"] == "test"
    with torch.no_grad():
        assert torch.equal(model(x), loaded(x))
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def saved(tmp_path, arch="mlp"):
    return save_checkpoint(
        tmp_path / "m.safetensors", build_model(ModelConfig(arch)), metadata(arch)
    )


def test_truncated_file_is_refused(tmp_path):
    path = saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=str(path)):
        load_checkpoint(path)


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(CheckpointError, match=r"junk\.safetensors"):
        load_checkpoint(path)


def test_pickle_is_refused_and_never_run(tmp_path):
    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    path = tmp_path / "evil.safetensors"
    torch.save({"x": Boom()}, path)
    with pytest.raises(CheckpointError, match="pickle"):
        load_checkpoint(path)
    assert not (tmp_path / "pwned").exists()


def test_wrong_architecture_is_refused_naming_the_problem(tmp_path):
    path = save_checkpoint(
        tmp_path / "m.safetensors", build_model(ModelConfig("cnn")), metadata("mlp")
    )
    with pytest.raises(CheckpointError, match="do not fit the mlp"):
        load_checkpoint(path)


def test_wrong_shapes_are_refused(tmp_path):
    model = build_model(ModelConfig("mlp"))
    state = model.state_dict()
    state["4.weight"] = torch.zeros(10, 128)
    from safetensors.torch import save_file

    path = tmp_path / "m.safetensors"
    import json

    save_file(state, path, metadata={"mnist_canvas": json.dumps(metadata("mlp"))})
    with pytest.raises(CheckpointError, match="shape"):
        load_checkpoint(path)


def test_missing_metadata_and_missing_file(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "plain.safetensors"
    save_file(build_model(ModelConfig("mlp")).state_dict(), path)
    with pytest.raises(CheckpointError, match="metadata"):
        read_metadata(path)
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "absent.safetensors")


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = saved(tmp_path)
    before = path.read_bytes()
    import safetensors.torch

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(safetensors.torch, "save_file", broken)
    with pytest.raises(OSError):
        save_checkpoint(path, build_model(ModelConfig("mlp")), metadata("mlp"))
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_a_header_length_that_looks_like_a_pickle_byte_still_loads(tmp_path):
    """The first byte of a safetensors file is its header length's low byte."""
    for pad in range(300):
        meta = {**metadata("mlp"), "pad": "x" * pad}
        path = save_checkpoint(tmp_path / "m.safetensors",
                               build_model(ModelConfig("mlp")), meta)  # fmt: skip
        if path.read_bytes()[0] == 0x80:
            break
    assert path.read_bytes()[0] == 0x80
    assert load_checkpoint(path)[1]["pad"] == meta["pad"]


def test_checkpoint_cli_prints_metadata_and_table_rows(tmp_path, capsys):
    from mnist_canvas.checkpoint import main

    path = save_checkpoint(
        tmp_path / "m.safetensors",
        build_model(ModelConfig("mlp")),
        {**metadata("mlp"), "metrics": {"mnist_test_accuracy": 0.9853}},
    )
    assert main([str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["mnist_test_accuracy"]
    assert main(["--table", str(path)]) == 0
    row = capsys.readouterr().out.strip().splitlines()[-1]
    assert row.startswith("| m |") and "98.53%" in row
    assert main([str(tmp_path / "absent.safetensors")]) == 2
    assert "no such file" in capsys.readouterr().err
