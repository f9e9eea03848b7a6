"""Diagnose names each shipped cause model's own cause, and causes planted in
small models trained here; the command keeps its JSON contract and exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_canvas import diagnose
from mnist_canvas.diagnosis.battery import Diagnosis
from mnist_canvas.diagnosis.findings import CAUSES

SIZES = {"clean": 1000, "small": 500, "pen": 500}
GEOMETRY = {f"{k}-sensitivity" for k in ("shift", "size", "rotation", "thickness")}


def _run(model, mnist_dir, pen_digits, **extra):
    diagnosis = Diagnosis(model, mnist_dir, pen_digits, **SIZES, **extra)
    steps = list(diagnosis.steps())
    assert steps, diagnosis.report.problems
    return diagnosis.report


@pytest.mark.parametrize(
    ("model", "causes"),
    [
        ("cause-unscaled", {"input-range"}),
        ("cause-imbalance", {"class-imbalance"}),
        ("cause-no-augment", GEOMETRY),
        ("mlp", {"mlp", "shift-sensitivity"}),
        ("cause-sigmoid", {"saturating-activation"}),
        ("cause-lr-high", {"underfitting"}),
        ("cause-svm-gamma", {"underfitting"}),
    ],
)
def test_a_cause_model_is_diagnosed_with_its_own_cause_first(
    model, causes, mnist_dir, pen_digits
):
    report = _run(model, mnist_dir, pen_digits)
    ranked = report.ranked()
    assert ranked and ranked[0].cause in causes, [(f.cause, f.severity) for f in ranked]
    assert ranked[0].severity > 2.0


def test_the_overfit_model_shows_its_symptoms(mnist_dir, pen_digits):
    # Trained with label smoothing, it is measured underconfident, not over:
    # its confidence is about 12 points below its accuracy on MNIST test.
    report = _run("cause-overfit", mnist_dir, pen_digits)
    causes = {f.cause: f.severity for f in report.ranked()}
    assert report.ranked()[0].cause in GEOMETRY
    assert causes.get("underconfidence", 0) > 4.0
    assert "overconfidence" not in causes


def test_the_default_has_no_finding_above_one_point(mnist_dir, pen_digits):
    report = _run("cnn-bn-wide-x2", mnist_dir, pen_digits)
    assert all(f.severity <= 1.0 for f in report.findings), report.findings
    assert "No problem found" in report.verdict()
    assert len(report.checks) >= 14


def _tiny_model(mnist, transpose=False, keep=None, seed=0):
    """A small CNN trained for seconds on 6,000 MNIST training images (with
    random shifts), with a cause planted: transposed images or few of the
    digits in `keep` ({digit: share kept})."""
    import torch

    from mnist_canvas.models.classifier import Classifier

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    images = mnist.train.images[:6000].numpy().astype(np.float32) / 255.0
    labels = mnist.train.labels[:6000].numpy()
    if keep:
        drop = np.zeros(len(labels), bool)
        for digit, share in keep.items():
            where = np.flatnonzero(labels == digit)
            drop[where[int(len(where) * share) :]] = True
        images, labels = images[~drop], labels[~drop]
    if transpose:
        images = images.transpose(0, 2, 1).copy()
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10),
    )  # fmt: skip
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(3):
        for start in range(0, len(labels), 64):
            x = images[start : start + 64]
            dx, dy = rng.integers(-3, 4, 2)
            x = np.roll(x, (dy, dx), axis=(1, 2))
            x = torch.from_numpy((x - 0.1307) / 0.3081)[:, None]
            y = torch.from_numpy(labels[start : start + 64]).long()
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimiser.step()
    return Classifier.from_module(model.eval(), {}, "planted", threads=2)


def test_a_model_trained_on_transposed_digits_is_found_transposed(
    mnist, mnist_dir, pen_digits
):
    report = _run(_tiny_model(mnist, transpose=True), mnist_dir, pen_digits)
    ranked = report.ranked()
    assert ranked[0].cause == "transposed", [(f.cause, f.severity) for f in ranked]
    assert ranked[0].evidence["transposed"] > ranked[0].evidence["upright"] + 0.3


def test_a_model_short_of_two_digits_is_found_imbalanced(mnist, mnist_dir, pen_digits):
    model = _tiny_model(mnist, keep={3: 0.01, 7: 0.01})
    report = _run(model, mnist_dir, pen_digits)
    ranked = report.ranked()
    assert ranked[0].cause == "class-imbalance", [(f.cause, f.severity) for f in ranked]
    assert ranked[0].evidence["weakest"] in (3, 7)


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


FAST = ["--images", "300", "--per-change", "200", "--pen", "100"]


def test_the_json_line_keeps_its_contract(mnist_dir, pen_digits, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = diagnose.main(
        ["cause-imbalance", "--mnist", str(mnist_dir), "--strokes", str(pen_digits),
         "--html", str(out), "--json", *FAST]
    )  # fmt: skip
    data = _json(capsys)
    assert code == 0
    assert set(data) == {"model", "accuracy", "findings", "checks"}
    assert data["model"] == "cause-imbalance"
    assert set(data["accuracy"]) == {"mnist", "strokes"}
    assert isinstance(data["accuracy"]["strokes"], float)
    severities = [f["severity"] for f in data["findings"]]
    assert severities == sorted(severities, reverse=True)
    for finding in data["findings"]:
        assert set(finding) == {"cause", "severity", "summary", "fix", "evidence"}
        assert finding["cause"] in CAUSES and 0 <= finding["severity"] <= 100
    assert data["findings"][0]["cause"] == "class-imbalance"
    page = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "class-imbalance" in page
    assert "http://" not in page and "https://" not in page


def test_a_model_that_cannot_run_exits_2_with_a_json_line(tmp_path, capsys):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"not a model")
    code = diagnose.main([str(bad), "--json"])
    data = _json(capsys)
    assert code == 2
    assert data["findings"] == [] and data["model"] == "broken"


@pytest.mark.parametrize("shape", [(5, 32, 32), (0, 28, 28)])
def test_inputs_of_the_wrong_shape_exit_2_after_the_rest(
    shape, mnist_dir, tmp_path, capsys
):
    inputs = tmp_path / "mine.npy"
    np.save(inputs, np.zeros(shape, np.float32))
    code = diagnose.main(
        ["cnn-bn", "--mnist", str(mnist_dir), "--strokes", str(tmp_path / "none"),
         "--inputs", str(inputs), "--json", *FAST]
    )  # fmt: skip
    captured = capsys.readouterr()
    data = json.loads(captured.out.strip().splitlines()[-1])
    assert code == 2
    assert "shift-sensitivity" in data["checks"]  # the rest of the report ran
    assert "mine.npy" in captured.err


def test_an_empty_folder_of_inputs_exits_2(mnist_dir, tmp_path, capsys):
    code = diagnose.main(
        ["cnn-bn", "--mnist", str(mnist_dir), "--inputs", str(tmp_path), "--json",
         "--strokes", str(tmp_path / "none"), *FAST]
    )  # fmt: skip
    assert code == 2
    assert _json(capsys)["checks"]


def test_inputs_in_another_range_cost_what_mnist_costs_in_it(
    mnist, mnist_dir, tmp_path
):
    # 0–1 values where cnn-bn expects MNIST-normalised ones (it reads 0–255
    # ones nearly as well: BatchNorm absorbs a scale, not a shift).
    inputs = tmp_path / "mine.npy"
    np.save(inputs, mnist.test.images[5000:5100].numpy().astype(np.float32) / 255)
    report = _run("cnn-bn", mnist_dir, tmp_path / "none", inputs=inputs)
    causes = {f.cause: f for f in report.findings}
    assert "input-range" in causes, report.findings
    assert causes["input-range"].severity > 20
    assert causes["input-range"].evidence["inputs"]["high"] <= 1.0
    assert not {"input-size", "input-centring", "input-polarity"} & set(causes)


def test_the_test_set_read_without_torch_is_load_mnists(mnist, mnist_dir):
    from mnist_canvas.data.mnist import test_arrays

    images, labels = test_arrays(mnist_dir)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert (images == mnist.test.images.numpy()).all()
    assert (labels == mnist.test.labels.numpy()).all()


def test_a_blank_picture_in_a_folder_is_told_and_exits_2(
    mnist, mnist_dir, tmp_path, capsys
):
    from PIL import Image

    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(mnist.test.images[i].numpy()).save(folder / f"{i}.png")
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(folder / "blank.png")
    code = diagnose.main(
        ["cnn-bn", "--mnist", str(mnist_dir), "--inputs", str(folder), "--json",
         "--strokes", str(tmp_path / "none"), *FAST]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2
    assert "blank.png is blank: no digit in it" in captured.err
    data = json.loads(captured.out.strip().splitlines()[-1])
    assert "drawing-gap" not in data["checks"]  # no pen digits given: not run
    assert "shift-sensitivity" in data["checks"]
