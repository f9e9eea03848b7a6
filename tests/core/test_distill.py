"""Knowledge distillation: teachers' probabilities mixed into each image's target."""

from dataclasses import replace
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from training_data import small_config, synthetic

from mnist_canvas.models.architectures import build_model
from mnist_canvas.models.checkpoint_file import save_checkpoint
from mnist_canvas.models.registry import ModelConfig
from mnist_canvas.training.config import TrainConfig
from mnist_canvas.training.distill import distillation_loss, teacher_probabilities
from mnist_canvas.training.fit import fit, normalize


def save(path, model, unscaled=False):
    steps = {"scale": not unscaled, "normalize": not unscaled}
    metadata = {"model": ModelConfig("cnn").to_dict(), "preprocessing": steps}
    return str(save_checkpoint(path, model, metadata))


def test_the_loss_mixes_labels_and_softened_teachers():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]])
    labels = torch.tensor([0, 2])
    taught = torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])
    hard = F.cross_entropy(logits, labels, label_smoothing=0.1)
    soft = (taught * (taught.log() - (logits / 4).log_softmax(1))).sum(1).mean() * 16
    loss = partial(distillation_loss, logits, labels, taught, temperature=4.0,
                   label_smoothing=0.1)  # fmt: skip
    assert loss(weight=0.0) == pytest.approx(hard.item())
    assert loss(weight=1.0) == pytest.approx(soft.item())
    assert loss(weight=0.25) == pytest.approx(0.75 * hard.item() + 0.25 * soft.item())


def test_agreeing_with_the_teachers_costs_nothing_and_teaches_as_cross_entropy():
    taught = torch.tensor([[0.7, 0.2, 0.1, 0.0]])
    agreeing = (taught.clamp_min(1e-12).log() * 4).requires_grad_()
    loss = distillation_loss(agreeing, torch.tensor([0]), taught, 1.0, 4.0)
    assert loss.item() == pytest.approx(0.0, abs=1e-4)  # the loss shown is how far
    logits = torch.tensor([[1.0, -2.0, 0.5, 3.0]], requires_grad=True)
    distillation_loss(logits, torch.tensor([0]), taught, 1.0, 4.0).backward()
    plain = logits.detach().clone().requires_grad_()
    (F.cross_entropy(plain / 4, taught) * 16).backward()
    assert torch.allclose(logits.grad, plain.grad, atol=1e-6)


def test_teachers_are_averaged_each_fed_its_own_values(tmp_path):
    torch.manual_seed(0)
    a, b = (build_model(ModelConfig("cnn")).eval() for _ in range(2))
    paths = [save(tmp_path / "a.safetensors", a),
             save(tmp_path / "b.safetensors", b, unscaled=True)]  # fmt: skip
    images = synthetic(20).train.images
    with torch.inference_mode():
        expected = (a(normalize(images)).softmax(1)
                    + b(normalize(images, unscaled=True)).softmax(1)) / 2  # fmt: skip
        got = teacher_probabilities(paths, images, batch=7)  # batches join up
    assert torch.allclose(got, expected, atol=1e-6)
    # Fed the wrong values, the 0–255 teacher reads differently.
    assert not torch.allclose(got, teacher_probabilities([paths[0]] * 2, images))
    # A temperature flattens each teacher's probabilities: the top one falls.
    with torch.inference_mode():
        warm = teacher_probabilities(paths[:1], images, temperature=4.0)
        assert torch.allclose(warm, (a(normalize(images)) / 4).softmax(1), atol=1e-6)
    cold = teacher_probabilities(paths[:1], images)
    assert (warm.max(1).values < cold.max(1).values).all()


def test_a_student_learns_what_its_teachers_say(tmp_path):
    data = synthetic()
    shifted = type(data.train)(data.train.images, (data.train.labels + 1) % 10)
    liar = list(fit(small_config(), type(data)(shifted, shifted, "shifted")))[-1]
    teacher = save(tmp_path / "liar.safetensors", liar.model)
    student = list(fit(small_config(teachers=(teacher,), distill=1.0), data))[-1]
    with torch.inference_mode():
        read = student.model(normalize(data.test.images)).argmax(1)
    # It reads what the teacher taught (label + 1), not the labels it was given.
    assert (read == shifted.labels).float().mean() > 0.8
    assert (read == data.test.labels).float().mean() < 0.2


def test_a_teacher_that_cannot_be_read_is_named(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match=r"bad\.safetensors"):
        list(fit(small_config(teachers=(str(bad),)), synthetic()))


def test_teachers_travel_in_the_configuration():
    config = TrainConfig(teachers=("a.safetensors", "b.safetensors"), distill=0.3,
                         distill_temperature=2.0)  # fmt: skip
    assert TrainConfig.from_json(config.to_json()) == config
    with pytest.raises(ValueError, match="distill"):
        TrainConfig(distill=1.5)
    with pytest.raises(ValueError, match="temperature"):
        TrainConfig(distill_temperature=0.0)


def test_augmented_teachers_read_the_very_batches_the_student_learns_from(
    tmp_path, monkeypatch
):
    import mnist_canvas.training.fit as fit_module
    from mnist_canvas.training.distill import Teachers

    data = synthetic()
    torch.manual_seed(0)
    teacher = save(tmp_path / "t.safetensors", build_model(ModelConfig("cnn")).eval())
    augmented, read = [], []

    def mirrored(x, kinds, gen):  # an augmentation the test can recognise
        augmented.append(x.flip(-1))
        return augmented[-1]

    def reading(self, x):
        read.append(x.clone())
        return original(self, x)

    original = Teachers.read
    monkeypatch.setattr(fit_module, "augment", mirrored)
    monkeypatch.setattr(Teachers, "read", reading)
    config = small_config(augment=("shift",), teachers=(teacher,))
    list(fit(replace(config, distill_augmented=True), data))
    assert len(read) == len(augmented) > 1
    assert all(torch.equal(r, a) for r, a in zip(read, augmented, strict=True))
    # Read once before training, the teachers see the images un-augmented.
    augmented.clear(), read.clear()
    list(fit(config, data))
    assert read and augmented and len(read) < len(augmented)
    assert not any(torch.equal(read[0][: len(a)], a) for a in augmented)


def test_a_student_taught_on_augmented_batches_learns_what_its_teachers_say(tmp_path):
    data = synthetic()
    shifted = type(data.train)(data.train.images, (data.train.labels + 1) % 10)
    liar = list(fit(small_config(), type(data)(shifted, shifted, "shifted")))[-1]
    teacher = save(tmp_path / "liar.safetensors", liar.model)
    config = small_config(teachers=(teacher,), distill=1.0, distill_augmented=True)
    student = list(fit(config, data))[-1]
    with torch.inference_mode():
        read = student.model(normalize(data.test.images)).argmax(1)
    assert (read == shifted.labels).float().mean() > 0.8
