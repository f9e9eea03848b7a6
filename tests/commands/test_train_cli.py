"""train.py's command line: typed config in, exit statuses, the file it writes."""

import json
import os
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import safetensors.torch
from safetensors import SafetensorError
from training_data import TINY

from mnist_canvas import train_cli
from mnist_canvas.files import STALE_PART_SECONDS, atomic_write, part_path
from mnist_canvas.models.checkpoint_file import read_metadata
from mnist_canvas.training.fit import Progress, TrainConfig


def train(tmp_path, *extra):
    out = tmp_path / "m.safetensors"
    return train_cli.run(["--config-json", TINY.to_json(), "--out", str(out), *extra])


@pytest.mark.parametrize(
    "argv",
    [["--epochs", "0"], ["--batch-size", "0"], ["--batch-size", "-5"],
     ["--train-size", "-5"], ["--threads", "0"], ["--lr", "0"], ["--epochs", "x"],
     ["--config-json", '{"epochs": 0}'], ["--config-json", '{"colour": 1}'],
     ["--config-json", "/no/such/config.json"], ["--description", ""],
     ["--description", "two\nlines"], ["--description", "x" * 201],
     ["--imbalance", "11:0.1"], ["--imbalance", "3:2"], ["--activation", "tanh"]],
)  # fmt: skip
def test_bad_numbers_exit_2_with_a_message(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        train_cli.run([*argv, "--out", str(tmp_path / "m.safetensors")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_the_config_arrives_whole_and_is_stored(tmp_path, offline, capsys):
    assert train(tmp_path, "--progress-json") == 0
    meta = read_metadata(tmp_path / "m.safetensors")
    assert TrainConfig.from_dict(meta["training"]) == TINY
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    progress = [Progress.from_json(d) for d in lines if d["phase"] != "saved"]
    assert progress and progress[-1].phase == "epoch"
    assert lines[-1]["phase"] == "saved"
    assert lines[-1]["metrics"] == meta["metrics"]  # one set of keys


def test_a_full_disk_exits_4_without_a_traceback(
    tmp_path, offline, monkeypatch, capsys
):
    def full(*args, **kwargs):
        raise SafetensorError("Error while serializing: No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", full)
    assert train(tmp_path) == 4
    assert "could not save" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_checkpoints_are_readable_by_all(tmp_path, offline):
    umask = os.umask(0o022)
    try:
        assert train(tmp_path) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "m.safetensors").stat().st_mode) == 0o644


def test_a_killed_saves_leftover_is_removed_next_time(tmp_path, offline):
    stale = tmp_path / ".m.safetensors.k1ll3d.part.safetensors"
    stale.write_bytes(b"half a checkpoint")
    old = time.time() - STALE_PART_SECONDS - 60
    os.utime(stale, (old, old))
    assert train(tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


def test_another_writers_part_is_left_alone(tmp_path):
    # Two processes filling one cache: the second must not delete the part the
    # first is writing (it did, and the first failed with "no such file").
    target = tmp_path / "train-images"
    with atomic_write(target) as first:
        first.write_bytes(b"first")
        with atomic_write(target) as second:
            second.write_bytes(b"second")
        assert first.read_bytes() == b"first"
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["train-images"]


@pytest.mark.skipif(sys.platform == "win32", reason="process ids are asked on POSIX")
def test_a_part_whose_writer_has_ended_is_removed_however_young(tmp_path):
    target = tmp_path / "index[1].npz"  # glob's brackets in the name, too
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = part_path(target, writer.pid)
        alive.write_bytes(b"being written")
        elsewhere = tmp_path / f".{target.name}.other-host-{writer.pid}-c3d4.part.npz"
        elsewhere.write_bytes(b"written from another machine")
        with atomic_write(target) as tmp:
            tmp.write_bytes(b"whole")
        assert alive.exists()  # its writer runs
    finally:
        writer.kill()
        writer.wait()
    with atomic_write(target) as tmp:  # its writer was killed: a leftover
        tmp.write_bytes(b"whole again")
    # That process id means nothing on another host: its part waits an hour.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        elsewhere.name,
        "index[1].npz",
    ]


def test_config_and_progress_round_trip_through_json():
    config = TrainConfig(imbalance=(7, 0.1), patience=3, augment=("rotate",))
    assert TrainConfig.from_json(config.to_json()) == config
    p = Progress("epoch", 1, 3, 10, 10, 0.5, 0.9, None, None, 1e-3, 2.0)
    assert Progress.from_json(json.loads(json.dumps(p.to_json()))) == p
    with pytest.raises(ValueError):
        Progress.from_json({"phase": "epoch"})
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig.from_dict({"batch_size": -5})
    with pytest.raises(ValueError):
        TrainConfig.from_dict({"model": {"arch": "no-such"}})


def test_a_background_run_lowers_its_own_priority(tmp_path, offline, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "nice", calls.append)
    assert train(tmp_path) == 0 and calls == []
    assert train(tmp_path, "--background", "--overwrite") == 0 and calls == [10]


def test_the_pen_digits_path_is_recorded_as_the_data_folder(tmp_path, offline,
                                                            monkeypatch):  # fmt: skip
    import gzip

    monkeypatch.setenv("MNIST_CANVAS_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pen = tmp_path / "pen.jsonl.gz"
    with gzip.open(pen, "wt") as f:
        for w in range(10):
            f.write(json.dumps({"label": 1, "writer": f"s/w{w}",
                                "strokes": [[[0, 0], [2, 40]]]}) + "\n")  # fmt: skip
    config = replace(TINY, pen_train=str(pen), pen_fold=None, pen_variants=1)
    out = tmp_path / "m.safetensors"
    assert train_cli.run(["--config-json", config.to_json(), "--out", str(out)]) == 0
    meta = read_metadata(tmp_path / "m.safetensors")
    assert meta["training"]["pen_train"] == "$MNIST_CANVAS_DATA/pen.jsonl.gz"
    assert str(tmp_path) not in json.dumps(meta)
    # The recipe as recorded trains again: the folder is found from the variable.
    again = tmp_path / "again.safetensors"
    recorded = json.dumps(meta["training"])
    assert train_cli.run(["--config-json", recorded, "--out", str(again)]) == 0
    assert read_metadata(again)["training"] == meta["training"]


def test_a_file_put_at_out_while_training_is_kept(
    tmp_path, offline, monkeypatch, capsys
):
    real = train_cli.save_checkpoint

    def taken_meanwhile(path, *rest, **options):  # a user's file, just now
        Path(path).write_bytes(b"mine")
        return real(path, *rest, **options)

    monkeypatch.setattr(train_cli, "save_checkpoint", taken_meanwhile)
    assert train(tmp_path) == 3  # once replaced and reported "saved"
    assert "appeared while training; it was kept" in capsys.readouterr().err
    assert (tmp_path / "m.safetensors").read_bytes() == b"mine"


def test_every_training_setting_is_declared_once_and_reaches_the_command_line():
    from mnist_canvas.train_cli import parser
    from mnist_canvas.training.config import KNOBS

    p = parser()
    actions = {a.dest: a for a in p._actions}
    for name, f in KNOBS.items():
        assert actions[name].default == f.default, name
        assert f.metadata["help"] in actions[name].help, name
    # the declared range is the one the command line enforces
    with pytest.raises(SystemExit):
        p.parse_args(["--out", "x.safetensors", "--pen-styles", "1.5"])
    assert p.parse_args(["--out", "x", "--patience", "0"]).patience is None
