"""The explain command line: sources, its JSON line and bad input."""

import json

import numpy as np
import pytest
from onnx_models import imported_model

from mnist_canvas import explain
from mnist_canvas.ink.drawing import Drawing, Stroke, save_drawing
from mnist_canvas.ink.pictures import save_gray_png
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.convention import Convention

SEVEN = Drawing(strokes=(Stroke.from_points([(70, 50), (210, 50), (120, 240)]),))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _run(capsys, *args) -> dict:
    code = explain.main([str(a) for a in args] + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out.splitlines()[-1])


def test_a_drawing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)
    save_drawing(tmp_path / "seven.json", SEVEN)
    found = _run(capsys, tmp_path / "seven.json")
    assert found["digit"] == 7 and "neighbours" not in found
    assert len(found["probabilities"]) == 10
    assert sum(found["probabilities"]) == pytest.approx(1, abs=1e-5)
    attribution, pixels = np.array(found["attribution"]), np.array(found["input"])
    assert attribution.shape == pixels.shape == (28, 28)
    ink = pixels > pixels.min() + 0.5
    assert attribution[ink].mean() > attribution[~ink].mean()


def test_a_model_input_is_used_as_it_is(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)
    pixels = Classifier.load("mlp").predict(SEVEN).preprocessed.input
    np.save(tmp_path / "input.npy", pixels)
    found = _run(capsys, tmp_path / "input.npy", "--model", "mlp")
    assert np.allclose(found["input"], pixels, atol=1e-5)
    expected = Classifier.load("mlp").probabilities(pixels[None])[0]
    assert np.allclose(found["probabilities"], expected, atol=1e-5)


def test_a_picture_and_an_imported_model(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MNIST_CANVAS_DATA", raising=False)
    picture = np.full((200, 200), 255.0)
    picture[30:170, 95:105] = 0
    save_gray_png(tmp_path / "one.png", picture)
    model = imported_model(tmp_path, Convention("nhwc", "0-255", "black-on-white"))
    found = _run(capsys, tmp_path / "one.png", "--model", model)
    assert found["digit"] == 1


def test_neighbours_from_mnist(tmp_path, capsys, mnist_dir):
    save_drawing(tmp_path / "seven.json", SEVEN)
    args = ["--model", "mlp", "--mnist", mnist_dir, "--neighbours", 3]
    found = _run(capsys, tmp_path / "seven.json", *args)
    near = found["neighbours"]
    assert len(near) == 3 and all(0 <= n["index"] < 60000 for n in near)
    assert [n["distance"] for n in near] == sorted(n["distance"] for n in near)
    assert sum(n["label"] == found["digit"] for n in near) >= 2
    again = _run(capsys, tmp_path / "seven.json", *args)  # from the cache
    assert again["neighbours"] == near


_HEADER = b"{'descr': '<f8', 'fortran_order': False, 'shape': (28, 28"
CUT_HEADER = b"\x93NUMPY\x01\x00\x77\x00" + _HEADER.ljust(118) + b"\n"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.json", None, "No such file|cannot|not"),
        ("bad.json", b"{not json", "JSON|json"),
        ("wide.npy", np.zeros((28, 30)), "28×28"),
        ("nan.npy", np.full((28, 28), np.nan), "NaN"),
        ("junk.npy", b"junk", "not a readable .npy"),
        # A header with an unclosed bracket: once a tokenize traceback.
        ("cut.npy", CUT_HEADER, "not a readable .npy"),
        ("complex.npy", np.full((28, 28), 1j), "28×28 numbers"),
        ("junk.png", b"junk", "not a picture"),
        ("empty.json", Drawing(), "nothing is drawn"),
    ],
)
def test_bad_input_exits_2(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, np.ndarray):
        np.save(path, content)
    elif isinstance(content, Drawing):
        save_drawing(path, content)
    assert explain.main([str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    import re

    assert re.search(message, err), err


def test_a_bad_model_exits_2(tmp_path, capsys):
    save_drawing(tmp_path / "seven.json", SEVEN)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    assert explain.main([str(tmp_path / "seven.json"), "--model", str(broken)]) == 2
    assert "error:" in capsys.readouterr().err
