"""The cause models: train.py's flags for them, their metadata, how they are fed."""

import pytest
import torch
from training_data import TINY, small_config, synthetic

from mnist_canvas import train_cli
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models import architectures
from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.checkpoint_file import read_metadata
from mnist_canvas.models.classifier import departures
from mnist_canvas.pipeline.steps import MNIST_MEAN, MNIST_STD
from mnist_canvas.training import fit as fit_module
from mnist_canvas.training.fit import TrainConfig, fit

CAUSES = ["cause-overfit", "cause-no-augment", "cause-imbalance", "cause-lr-high",
          "cause-sigmoid", "cause-few-epochs", "cause-unscaled"]  # fmt: skip
SEVEN = Drawing(strokes=(Stroke.from_points([(70, 50), (210, 50), (120, 240)]),))


def train(tmp_path, *extra):
    out = tmp_path / "m.safetensors"
    return train_cli.run(["--config-json", TINY.to_json(), "--out", str(out), *extra])


def test_flags_reach_the_config():
    args = train_cli.parser().parse_args(
        ["--unscaled", "--activation", "sigmoid", "--imbalance", "9:0.005",
         "--augment", "none", "--dropout", "off", "--out", "m.safetensors"]
    )  # fmt: skip
    config = train_cli.config_from(args)
    assert config.unscaled and config.imbalance == (9, 0.005)
    assert config.model.activation == "sigmoid" and config.model.dropout is False
    assert config.augment == ()


def test_description_and_unscaled_round_trip(tmp_path, offline, monkeypatch):
    monkeypatch.setenv("MNIST_CANVAS_DATA", str(tmp_path / "data"))
    pen = str(tmp_path / "data" / "pen.jsonl")
    out = tmp_path / "m.safetensors"
    config = TrainConfig.from_dict({**TINY.to_dict(), "unscaled": True})
    argv = ["--config-json", config.to_json(), "--pen-digits", pen, "--out", str(out),
            "--description", "Raw 0–255 pixels"]  # fmt: skip
    assert train_cli.run(argv) == 0
    meta = read_metadata(out)
    assert meta["description"] == "Raw 0–255 pixels"
    assert meta["preprocessing"]["scale"] is False
    assert meta["preprocessing"]["normalize"] is False
    assert meta["training"]["unscaled"] is True
    assert "$MNIST_CANVAS_DATA/pen.jsonl" in meta["command"]
    assert str(tmp_path / "data") not in meta["command"]
    assert Catalogue.scan(tmp_path, tmp_path / "none").get("m").description == (
        "Raw 0–255 pixels"
    )


def test_a_description_that_is_not_text_makes_the_model_unusable(tmp_path):
    from window_fixtures import copy_with_metadata

    from mnist_canvas.models.classifier import shipped_weights_dir

    source = shipped_weights_dir() / "mlp.safetensors"
    copy_with_metadata(source, tmp_path / "odd.safetensors",
                       lambda m: m.update(description=["no"]))  # fmt: skip
    found = Catalogue.scan(tmp_path, tmp_path / "none")
    assert "'description' must be a string" in found.unusable()["odd"]


@pytest.mark.parametrize(
    ("unscaled", "low", "high"),
    [
        (False, -MNIST_MEAN / MNIST_STD, (1 - MNIST_MEAN) / MNIST_STD),
        (True, 0.0, 255.0),
    ],
)
def test_an_unscaled_model_trains_on_0_to_255(monkeypatch, unscaled, low, high):
    seen = []
    build = architectures.build_model

    def recording(config):
        model = build(config)
        model.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
        return model

    monkeypatch.setattr(fit_module, "build_model", recording)
    list(fit(small_config(unscaled=unscaled), synthetic(200)))
    values = torch.cat([x.flatten() for x in seen])
    assert values.min() >= low - 1e-3 and values.max() == pytest.approx(high, 0.01)


def test_departures_are_what_differs_from_a_model_s_own_steps():
    own = {"invert": True, "scale": False, "normalize": False}
    shown = {"invert": False, "scale": True, "normalize": False}
    assert departures(own, shown) == {"invert": False, "scale": True}


def test_an_unscaled_model_exports_with_a_0_to_255_convention():
    from mnist_canvas.models.onnx_export import convention_of

    unscaled = {"preprocessing": {"invert": True, "scale": False, "normalize": False}}
    assert convention_of(unscaled).range == "0-255"
    assert convention_of({"preprocessing": {"invert": True}}).range == "mnist"
