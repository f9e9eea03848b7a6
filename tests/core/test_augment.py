import pytest
import torch

from mnist_canvas.training.augment import KINDS, augment, parse_kinds


@pytest.fixture
def batch():
    images = torch.zeros(16, 1, 28, 28)
    images[:, :, 6:22, 12:16] = 1.0  # a bar, like a "1"
    images[:, :, 6:9, 8:20] = 0.7
    return images


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_changes_images_and_keeps_shape_and_range(kind, batch):
    out = augment(batch.clone(), [kind], torch.Generator().manual_seed(1))
    assert out.shape == batch.shape
    assert out.min() >= 0.0 and out.max() <= 1.0
    changed = (out - batch).abs().flatten(1).sum(1) > 0.5
    assert changed.float().mean() > 0.8
    # Every image gets its own change, not one shared by the batch.
    assert not torch.allclose(out[0], out[1])


def test_no_kinds_changes_nothing(batch):
    assert torch.equal(augment(batch.clone(), [], torch.Generator()), batch)


def test_same_seed_same_result(batch):
    a = augment(batch.clone(), KINDS, torch.Generator().manual_seed(3))
    b = augment(batch.clone(), KINDS, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_parse_kinds():
    assert parse_kinds("none") == ()
    assert parse_kinds("all") == KINDS
    assert parse_kinds("rotate, zoom") == ("rotate", "zoom")
    with pytest.raises(ValueError, match="elastic"):
        parse_kinds("rotate,blur")
