"""Personalising: the fine-tune itself and its command line."""

import dataclasses
import json
import random
import re

import pytest
import torch

from mnist_canvas import evaluate, personalise
from mnist_canvas.data import DATA_ENV
from mnist_canvas.data.my_digits import MyDigits
from mnist_canvas.data.strokes import fingerprint
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.checkpoint_file import load_checkpoint, read_metadata
from mnist_canvas.models.classifier import Classifier, predict_many, resolve_model
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.training.fine_tune import STEPS_MAX, STEPS_MIN, Recipe, digit_images
from mnist_canvas.training.fine_tune import personalise as fine_tune

QUICK = Recipe(steps=40, batch_size=32, variants=4, threads=1)


def waves(count: int, seed: int = 0) -> list[Drawing]:
    """A made-up style: a '6' written as one wavy horizontal stroke, which
    the default model never reads as 6."""
    rng = random.Random(seed)
    drawings = []
    for _ in range(count):
        y, wave = rng.uniform(120, 160), rng.uniform(10, 25)
        points = [(60 + 16 * i, y + (wave if i % 2 else -wave)) for i in range(11)]
        drawings.append(Drawing(strokes=(Stroke.from_points(points, 14.0),)))
    return drawings


@pytest.fixture
def my_waves(tmp_path):
    digits = MyDigits.open(tmp_path / "waves.jsonl")
    for drawing in waves(24):
        digits.add(drawing, 6)
    return digits


def read_as_six(classifier, seed=1) -> float:
    probabilities = predict_many(waves(40, seed), classifier)
    return float((probabilities.argmax(1) == 6).mean())


def test_the_model_learns_a_style_and_keeps_its_batchnorm_statistics(my_waves):
    model, metadata = load_checkpoint(resolve_model("cnn-bn"))
    before = read_as_six(Classifier.from_module(model, metadata, "before"))
    stats = {k: v.clone() for k, v in model.state_dict().items() if "running" in k}
    assert stats
    mine = digit_images(my_waves.digits(), QUICK.variants)
    assert len(mine) == 24 * QUICK.variants and set(mine.labels.tolist()) == {6}
    fine_tune(model, mine, None, QUICK)
    after = read_as_six(Classifier.from_module(model, metadata, "after"))
    assert before < 0.2 and after > 0.8  # unseen drawings of the same style
    for key, value in stats.items():
        assert torch.equal(model.state_dict()[key], value), key


def test_recipes_refuse_absurd_values():
    for bad in ({"steps": 0}, {"lr": 0}, {"mine": 1.5}, {"batch_size": True},
                {"learn": "some"}, {"distill": 2}, {"warp": -1}):  # fmt: skip
        with pytest.raises(ValueError):
            Recipe(**bad)


def test_steps_grow_with_the_digits_within_bounds():
    recipe = Recipe()
    counts = [1, 10, 30, 100, 10_000]
    steps = [recipe.steps_for(n) for n in counts]
    assert steps == sorted(steps) and steps[0] < steps[-1]
    assert steps[0] == STEPS_MIN and steps[-1] == STEPS_MAX
    assert Recipe(steps=7).steps_for(10_000) == 7  # asked for: as asked


def test_late_learning_leaves_the_early_layers_as_they_were(my_waves):
    model, _ = load_checkpoint(resolve_model("cnn-bn-wide-x2"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mine = digit_images(my_waves.digits(), 2)
    recipe = Recipe(steps=3, batch_size=8, variants=2, learn="late", threads=1)
    fine_tune(model, mine, None, recipe)
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    for member in ("0.branches.0", "0.branches.1"):  # both members of the pair
        assert f"{member}.0.weight" not in changed  # the first convolution
        assert f"{member}.7.weight" not in changed  # the third
        assert f"{member}.11.weight" in changed  # the second-last one
        assert f"{member}.14.weight" in changed  # the last one
    assert "1.weight" in changed  # the head
    assert all(p.requires_grad for p in model.parameters())  # as it was given


def run(argv, capsys) -> tuple[int, str, str]:
    code = personalise.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_writes_a_model_usable_everywhere(
    my_waves, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv(DATA_ENV, raising=False)  # no MNIST: no replay, no test
    out = tmp_path / "mine.safetensors"
    argv = ["--model", "cnn-bn", "--digits", my_waves.path, "--out", out,
            "--steps", 40, "--threads", 1, "--json"]  # fmt: skip
    code, stdout, stderr = run(argv, capsys)
    assert code == 0, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert set(summary) == {"path", "seconds", "digits", "mnist_test"}
    assert summary["path"] == str(out) and summary["digits"] == 24
    assert summary["mnist_test"] is None and summary["seconds"] > 0
    assert "no MNIST" in stderr
    metadata = read_metadata(out)
    assert metadata["parent"]["name"] == "cnn-bn"
    assert metadata["recipe"]["steps"] == 40 and metadata["recipe"]["digits"] == 24
    assert metadata["recipe"]["freeze_batchnorm"] is True
    assert "mnist_canvas.personalise" in metadata["command"]
    classifier = Classifier.load(out)
    assert read_as_six(classifier) > 0.8
    assert evaluate.main(["--strokes", str(my_waves.path), "--model", str(out)]) == 0


def test_without_model_the_default_learns_and_lists_what_it_learned_from(
    my_waves, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv(DATA_ENV, raising=False)
    out = tmp_path / "mine.safetensors"
    argv = ["--digits", my_waves.path, "--out", out, "--steps", 2, "--json"]
    code, stdout, stderr = run(argv, capsys)
    assert code == 0, stderr
    assert set(json.loads(stdout.strip().splitlines()[-1])) == {
        "path", "seconds", "digits", "mnist_test"}  # fmt: skip
    metadata = read_metadata(out)
    assert metadata["parent"]["name"] == DEFAULT_MODEL
    learned = metadata["learned_from"]
    assert learned == sorted({fingerprint(d) for d in my_waves.digits()})
    assert len(learned) == 24  # one each: 24 different waves


def personalised(model, digits, out, mnist_dir, steps, capsys) -> dict:
    """Run the command with --json on MNIST; its summary (exit 0 asserted)."""
    argv = ["--model", model, "--digits", digits.path, "--out", out, "--json",
            "--mnist", mnist_dir, "--steps", steps, "--threads", 1]  # fmt: skip
    code, stdout, stderr = run(argv, capsys)
    assert code == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def test_the_command_replays_and_tests_on_mnist(my_waves, tmp_path, capsys, mnist_dir):
    out = tmp_path / "mine.safetensors"
    summary = personalised("cnn-bn", my_waves, out, mnist_dir, 20, capsys)
    assert 0.95 < summary["mnist_test"] <= 1  # a made-up style, yet MNIST holds
    assert read_metadata(out)["metrics"]["mnist_test_accuracy"] == summary["mnist_test"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--digits": "nowhere.jsonl"}, "no such file"),
        ({"--digits": "bad.jsonl"}, r"bad\.jsonl:1"),
        ({"--digits": "empty.jsonl"}, "no digits"),
        ({"--model": "no-such-model"}, "no such model"),
        ({"--model": "imported.onnx"}, "only models trained here"),
        ({"--model": "svm"}, r"the SVM, or one you imported\) has no weights"),
        ({"--out": "mine.pt"}, r"must end in \.safetensors"),
        ({"--out": "missing/mine.safetensors"}, "no such folder"),
        ({"--mnist": "no-mnist"}, "no such folder"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    change, message, my_waves, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.jsonl").write_text('{"label": 12, "strokes": []}\n')
    (tmp_path / "empty.jsonl").write_text("\n")
    (tmp_path / "imported.onnx").write_bytes(b"an imported model")
    args = {"--model": "cnn-bn", "--digits": my_waves.path,
            "--out": "mine.safetensors", "--steps": 2, **change}  # fmt: skip
    code, _, stderr = run([x for kv in args.items() for x in kv], capsys)
    assert code == 2
    assert "error:" in stderr and "Traceback" not in stderr
    assert re.search(message, stderr), stderr
    assert not list(tmp_path.rglob("*.safetensors"))


def test_shipped_models_are_never_overwritten(my_waves, capsys):
    target = resolve_model("mlp")
    before = target.read_bytes()
    code, _, stderr = run(["--model", "cnn-bn", "--digits", my_waves.path,
                           "--out", target, "--steps", 2], capsys)  # fmt: skip
    assert code == 2 and "never overwritten" in stderr
    assert target.read_bytes() == before


def test_an_unscaled_model_is_fed_its_own_values_and_keeps_mnist(
    my_waves, tmp_path, capsys, mnist, mnist_dir
):
    """cause-unscaled was trained on 0–255 values: fine-tuning it on 0–1
    values, or testing it so, would wreck it and report a false figure."""
    from mnist_canvas.training.fit import evaluate as accuracy

    out = tmp_path / "mine.safetensors"
    summary = personalised("cause-unscaled", my_waves, out, mnist_dir, 10, capsys)
    assert summary["mnist_test"] > 0.95
    model, metadata = load_checkpoint(out)
    assert metadata["preprocessing"]["scale"] is False  # still read unscaled
    assert accuracy(model, mnist.test, unscaled=True)[1] == summary["mnist_test"]


def test_an_existing_file_is_never_replaced(my_waves, tmp_path, capsys, monkeypatch):
    out = tmp_path / "mine.safetensors"
    out.write_bytes(b"someone's model")
    args = ["--model", "cnn-bn", "--digits", my_waves.path, "--out", out, "--steps", 2]
    code, _, stderr = run(args, capsys)
    assert code == 2 and "exists; it is kept" in stderr
    assert out.read_bytes() == b"someone's model"
    code, _, _ = run([*args, "--overwrite"], capsys)
    assert code == 0 and out.read_bytes() != b"someone's model"  # asked for
    out.unlink()
    real = personalise.save_checkpoint

    def taken_meanwhile(path, *rest, **options):  # another window's, just now
        path.write_bytes(b"written meanwhile")
        return real(path, *rest, **options)

    monkeypatch.setattr(personalise, "save_checkpoint", taken_meanwhile)
    code, _, stderr = run(args, capsys)
    assert code == 2 and "appeared meanwhile; it was kept" in stderr
    assert out.read_bytes() == b"written meanwhile"
    assert not list(tmp_path.glob(".mine.safetensors.*"))  # no part left


def test_the_guard_keeps_mnist_within_its_budget(my_waves, mnist):
    """A recipe rough enough to wreck MNIST (a huge learning rate): with the
    guard the result loses at most the budget on its validation images."""
    from mnist_canvas.data.mnist import validation_split
    from mnist_canvas.training.fine_tune import GUARD_IMAGES
    from mnist_canvas.training.fit import evaluate as accuracy

    guard = validation_split(mnist.train, GUARD_IMAGES, seed=0)[1]
    mine = digit_images(my_waves.digits(), 2)
    rough = Recipe(steps=15, batch_size=32, variants=2, lr=0.05, threads=1)
    figures = {}
    for budget in (0.0, 0.001):
        model, _ = load_checkpoint(resolve_model("cnn-bn"))
        parent = accuracy(model, guard)[1]
        fine_tune(model, mine, mnist.train, dataclasses.replace(rough, guard=budget))
        figures[budget] = parent - accuracy(model, guard)[1]
    assert figures[0.0] > 0.01  # unguarded, it forgets
    assert figures[0.001] <= 0.001 + 1e-9  # guarded, within 0.1 points
