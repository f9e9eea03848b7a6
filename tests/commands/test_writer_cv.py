"""Writer folds from the command line: train.py --pen-fold, evaluate --writers,
and the cross-validation that puts them together."""

import gzip
import json

import pytest
from training_data import synthetic

from mnist_canvas import evaluate, train_cli, writer_cv
from mnist_canvas.data.strokes import writer_fold
from mnist_canvas.models.checkpoint_file import read_metadata

WRITERS = 30


@pytest.fixture
def stroke_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "pen.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for w in range(WRITERS):
            for label, strokes in ((1, [[[0, 0], [2, 40]]]),
                                   (7, [[[0, 0], [30, 0], [10, 45]]])):  # fmt: skip
                record = {"label": label, "writer": f"src/w{w}", "strokes": strokes}
                f.write(json.dumps(record) + "\n")
    return path


def fold_size(fold: int, folds: int = 5) -> int:
    return 2 * sum(writer_fold(f"src/w{w}", folds) == fold for w in range(WRITERS))


def test_the_evaluator_reads_only_the_people_of_a_fold(stroke_file, capsys):
    argv = ["--strokes", str(stroke_file), "--model", "mlp", "--json", "--threads", "1"]
    assert evaluate.main([*argv, "--writers", "2/5"]) == 0
    out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert out["n"] == fold_size(2) and out["writers"] == "2/5"


def test_a_fold_beyond_the_folds_exits_2(stroke_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        evaluate.main(["--strokes", str(stroke_file), "--writers", "5/5"])
    assert exit_.value.code == 2
    out = tmp_path / "m.safetensors"
    argv = ["--pen-train", str(stroke_file), "--pen-fold", "5", "--out", str(out)]
    assert train_cli.run(argv) == 2
    assert "pen_fold must be below pen_folds" in capsys.readouterr().err
    assert not out.exists()


def test_cross_validation_holds_out_every_fold_once(stroke_file, tmp_path, monkeypatch,
                                                    capsys):  # fmt: skip
    monkeypatch.setattr(writer_cv, "load_mnist", lambda *a, **k: synthetic())
    out = tmp_path / "cv.json"
    argv = ["--pen-train", str(stroke_file), "--model", "mlp", "--epochs", "1",
            "--augment", "none", "--threads", "1", "--pen-folds", "3",
            "--pen-variants", "1", "--out", str(out), "--json",
            "--gallery", str(tmp_path / "shown"),
            "--keep", str(tmp_path / "kept")]  # fmt: skip
    assert writer_cv.main(argv) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result == json.loads(out.read_text()) and result["complete"]
    assert [f["fold"] for f in result["folds"]] == [0, 1, 2]
    assert [f["n"] for f in result["folds"]] == [fold_size(k, 3) for k in range(3)]
    assert result["summary"]["n"] == 2 * WRITERS  # every digit held out once
    for brush, figures in result["summary"]["by_brush"].items():
        right = sum(f["accuracy"][brush] * f["n"] for f in result["folds"])
        assert figures["pooled"] == pytest.approx(right / (2 * WRITERS))
        assert figures["min"] <= figures["mean"]
    for fold in result["folds"]:
        wrong = round((1 - fold["accuracy"]["6"]) * fold["n"])
        assert len(fold["errors"]) == wrong
        shown = tmp_path / "shown" / f"fold-{fold['fold']}-errors.png"
        assert shown.is_file() == bool(wrong)
        kept = tmp_path / "kept" / f"fold-{fold['fold']}.safetensors"
        assert read_metadata(kept)["training"]["pen_fold"] == fold["fold"]


def test_each_finished_fold_is_written_before_the_next_trains(
    stroke_file, tmp_path, monkeypatch
):
    monkeypatch.setattr(writer_cv, "load_mnist", lambda *a, **k: synthetic())
    run_fold = writer_cv.run_fold

    def killed_in_fold_2(config, data, fold, *rest):
        if fold == 2:
            assert [f["fold"] for f in json.loads(out.read_text())["folds"]] == [0, 1]
            raise KeyboardInterrupt  # hours later, the machine is needed
        return run_fold(config, data, fold, *rest)

    monkeypatch.setattr(writer_cv, "run_fold", killed_in_fold_2)
    out = tmp_path / "cv.json"
    argv = ["--pen-train", str(stroke_file), "--model", "mlp", "--epochs", "1",
            "--augment", "none", "--threads", "1", "--pen-folds", "3",
            "--pen-variants", "1", "--out", str(out)]  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        writer_cv.main(argv)
    result = json.loads(out.read_text())
    assert result["summary"]["n"] == sum(f["n"] for f in result["folds"])
    assert result["complete"] is False


def test_an_out_file_in_no_folder_is_refused_before_training(stroke_file, capsys):
    argv = ["--pen-train", str(stroke_file), "--out", "no/such/folder/cv.json"]
    assert writer_cv.main(argv) == 2
    assert "no folder no/such/folder" in capsys.readouterr().err


def test_cross_validation_needs_pen_digits(capsys):
    assert writer_cv.main(["--epochs", "1"]) == 2
    assert "--pen-train" in capsys.readouterr().err


def test_each_fold_learns_from_its_own_teacher(stroke_file, tmp_path, monkeypatch,
                                               capsys):  # fmt: skip
    monkeypatch.setattr(writer_cv, "load_mnist", lambda *a, **k: synthetic())
    argv = ["--pen-train", str(stroke_file), "--model", "mlp", "--epochs", "1",
            "--augment", "none", "--threads", "1", "--pen-folds", "3",
            "--pen-variants", "1", "--only", "0,2"]  # fmt: skip
    teachers = tmp_path / "teachers"
    assert writer_cv.main([*argv, "--keep", str(teachers)]) == 0
    capsys.readouterr()
    students = tmp_path / "students"
    taught = [*argv, "--keep", str(students)]
    own = str(teachers / "fold-{fold}.safetensors")
    assert writer_cv.main([*taught, "--teacher", own]) == 0
    assert "warning" not in capsys.readouterr().err
    for fold in (0, 2):
        training = read_metadata(students / f"fold-{fold}.safetensors")["training"]
        assert training["teachers"] == [str(teachers / f"fold-{fold}.safetensors")]
    # Students kept over their teachers, or a fold without one: refused before
    # any fold trains, nothing written.
    before = (teachers / "fold-0.safetensors").read_bytes()
    over = [*argv, "--keep", str(teachers), "--teacher", own]
    assert writer_cv.main(over) == 2
    assert "over its teacher" in capsys.readouterr().err
    assert (teachers / "fold-0.safetensors").read_bytes() == before
    assert writer_cv.main([*taught, "--teacher", own, "--only", "1,2"]) == 2
    assert "fold 1's teacher" in capsys.readouterr().err
    # One teacher for every fold saw the held-out people: said, not refused.
    one = str(teachers / "fold-0.safetensors")
    assert writer_cv.main([*taught, "--teacher", one, "--only", "0"]) == 0
    assert "a teacher that trained on a held-out fold" in capsys.readouterr().err


def test_a_result_that_cannot_be_written_lets_the_folds_run(
    stroke_file, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(writer_cv, "load_mnist", lambda *a, **k: synthetic())

    def full_disk(path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_cv, "atomic_write", full_disk)
    argv = ["--pen-train", str(stroke_file), "--model", "mlp", "--epochs", "1",
            "--augment", "none", "--threads", "1", "--pen-folds", "3",
            "--pen-variants", "1", "--only", "0,1", "--json",
            "--out", str(tmp_path / "cv.json")]  # fmt: skip
    assert writer_cv.main(argv) == 0
    out, err = capsys.readouterr()
    assert [f["fold"] for f in json.loads(out.splitlines()[-1])["folds"]] == [0, 1]
    assert err.count("could not be written") == 2  # after each fold
