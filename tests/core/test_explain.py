"""Attribution, nearest training digits and probes (no Qt)."""

import numpy as np
import pytest

from mnist_canvas.diagnosis import neighbours as neighbours_module
from mnist_canvas.diagnosis.attribution import background, occlusion, squares
from mnist_canvas.diagnosis.neighbours import (
    FeatureIndex,
    Projection,
    build_index,
    grow_index,
    load_or_build,
    training_inputs,
)
from mnist_canvas.diagnosis.probes import Probes, apply, current_size, sweep
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.models.classifier import Classifier
from mnist_canvas.models.convention import Convention

SEVEN = Drawing(strokes=(Stroke.from_points([(70, 50), (210, 50), (120, 240)]),))
ONE = Drawing(strokes=(Stroke.from_points([(150, 50), (146, 120), (140, 230)]),))


@pytest.fixture(scope="module")
def cnn_bn():
    return Classifier.load("cnn-bn")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from onnx_models import imported_model

    folder = tmp_path_factory.mktemp("imported")
    path = imported_model(folder, Convention("nhwc", "0-255", "black-on-white"))
    return Classifier.load(path)


def test_squares_cover_every_pixel():
    assert squares().any(axis=0).all()


def test_occlusion_finds_the_ink(cnn_bn):
    model_input = cnn_bn.predict(SEVEN).preprocessed.input
    found = occlusion(cnn_bn, model_input)
    assert found.digit == 7
    paper = np.isclose(model_input, background(model_input))
    # Evidence sits on and near the strokes: blank corners far from ink carry none.
    assert np.abs(found.map[:3, :3]).max() < np.abs(found.map).max() / 10
    assert found.map[~paper].mean() > found.map[paper].mean()


def test_occlusion_against_runner_up(cnn_bn):
    model_input = cnn_bn.predict(SEVEN).preprocessed.input
    plain, contrast = (
        occlusion(cnn_bn, model_input),
        occlusion(cnn_bn, model_input, contrast=True),
    )
    order = np.argsort(plain.probabilities)[::-1]
    assert contrast.against == order[1] and plain.against is None
    assert not np.allclose(plain.map, contrast.map)


def test_occlusion_on_an_imported_model(imported):
    model_input = imported.predict(ONE).preprocessed.input
    found = occlusion(imported, model_input)
    assert found.digit == 1 and found.map.shape == (28, 28)
    assert np.isfinite(found.map).all() and found.map.max() > 0


def test_occlusion_refuses_a_wrong_shape(cnn_bn):
    with pytest.raises(ValueError, match="28×28"):
        occlusion(cnn_bn, np.zeros((27, 28)))


def test_features_are_the_layer_before_the_classifier(cnn_bn, imported):
    inputs = np.zeros((2, 28, 28), np.float32)
    assert cnn_bn.feature_space == "features"
    assert cnn_bn.features(inputs).shape == (2, 64 * 3 * 3)
    assert imported.feature_space == "pixels"
    assert imported.features(inputs).shape == (2, 784)


def test_index_query_is_exact():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(9000, 16)).astype(np.float32)  # several blocks
    index = FeatureIndex(features, rng.integers(0, 10, 9000), "features")
    query = rng.normal(size=16).astype(np.float32)
    found = index.query(query, 5)
    held = features.astype(np.float16).astype(np.float32)  # the index's precision
    exact = np.argsort(np.linalg.norm(held - query, axis=1))[:5]
    assert [n.index for n in found] == list(exact)
    assert found[0].distance == pytest.approx(
        np.linalg.norm(held[exact[0]] - query), rel=1e-4
    )


def test_projected_neighbours_of_structured_features_are_the_exact_ones():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(3000, 20)) @ rng.normal(size=(20, 300))
    features += 0.05 * rng.normal(size=features.shape)
    projection = Projection.of(features[:1000])
    assert projection.basis.shape == (300, neighbours_module.DIMENSIONS)
    index = FeatureIndex(projection(features), np.zeros(3000), "features", projection)
    for row in rng.integers(0, 3000, 20):
        query = features[row] + 0.1 * rng.normal(size=300)
        exact = np.argsort(np.linalg.norm(features - query, axis=1))[:8]
        assert [n.index for n in index.query(query, 8)] == list(exact)


def _digits(count: int, seed: int = 0):
    """`count` bars of random slant and length, labelled by their length."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    labels = rng.integers(0, 10, count)
    for image, label, column in zip(
        images, labels, rng.integers(8, 20, count), strict=True
    ):
        image[4 : 6 + 2 * label, column : column + 3] = 255
    return images, labels


def test_the_index_answers_while_it_grows(cnn_bn):
    images, labels = _digits(700)
    grown = list(grow_index(cnn_bn, images, labels, first=200, step=200))
    assert [len(i) for i in grown] == [200, 400, 600, 700]
    assert [i.complete for i in grown] == [False, False, False, True]
    whole = grown[-1]
    assert sorted(whole.ids) == list(range(700))  # every digit once
    assert (whole.labels == labels[whole.ids]).all()
    assert whole.projection is not None  # 576 features → DIMENSIONS
    assert whole.points.shape == (700, neighbours_module.DIMENSIONS)
    first = grown[0]
    assert (first.ids == whole.ids[:200]).all()  # a part grows, never changes
    assert (first.points == whole.points[:200]).all()
    query = training_inputs(cnn_bn, images[5:6])[0]
    # A partial index answers among its own digits: the nearest of them.
    near = first.nearest(cnn_bn, query, 3)
    point = first.projection(cnn_bn.features(query[None])[0])
    exact = np.argsort(np.linalg.norm(first.points - point, axis=1))[:3]
    assert [n.index for n in near] == list(first.ids[exact])
    nearest = whole.nearest(cnn_bn, query, 1)[0]  # the digit itself (or its twin)
    assert (images[nearest.index] == images[5]).all()
    assert all(n.label == labels[n.index] for n in near)


def test_a_saved_index_answers_as_it_did(cnn_bn, tmp_path):
    images, labels = _digits(300)
    index = build_index(cnn_bn, images, labels)
    index.save(tmp_path / "index.npz")
    loaded = FeatureIndex.load(tmp_path / "index.npz")
    assert (loaded.ids == index.ids).all() and loaded.complete
    query = training_inputs(cnn_bn, images[7:8])[0]
    assert loaded.nearest(cnn_bn, query, 8) == index.nearest(cnn_bn, query, 8)


def test_a_damaged_index_is_rebuilt(cnn_bn, tmp_path, monkeypatch):
    images = np.zeros((30, 28, 28), np.uint8)
    images[:, 5:20, 12:15] = 255
    labels = np.ones(30, np.int64)
    path = tmp_path / "index.npz"
    build_index(cnn_bn, images, labels).save(path)
    assert len(FeatureIndex.load(path)) == 30
    path.write_bytes(b"not an index")
    with pytest.raises(ValueError, match="not a readable index"):
        FeatureIndex.load(path)

    class Train:
        pass

    train = Train()
    train.images, train.labels = _Tensor(images), _Tensor(labels)
    monkeypatch.setattr(
        neighbours_module, "load_mnist", lambda d: type("M", (), {"train": train})
    )
    monkeypatch.setattr(neighbours_module, "index_path", lambda c, p: path)
    monkeypatch.setattr(neighbours_module, "FIRST", 10)
    monkeypatch.setattr(neighbours_module, "STEP", 10)
    partial = []
    index = load_or_build(
        cnn_bn, "weights/cnn-bn.safetensors", tmp_path, partial=partial.append
    )
    assert len(index) == 30 and index.images is images and index.complete
    assert [len(i) for i in partial] == [10, 20]  # shown while it grew
    assert all(i.images is images for i in partial)
    assert len(FeatureIndex.load(path)) == 30  # written again, whole
    partial.clear()
    load_or_build(
        cnn_bn, "weights/cnn-bn.safetensors", tmp_path, partial=partial.append
    )
    assert partial == []  # read from the cache, complete at once


class _Tensor:
    def __init__(self, array):
        self.array = array

    def numpy(self):
        return self.array


def test_neighbours_share_the_label_on_mnist(cnn_bn, mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    images, labels = mnist.train.images.numpy(), mnist.train.labels.numpy()
    index = build_index(cnn_bn, images[:3000], labels[:3000])
    test = mnist.test.images.numpy()[:20]
    shares = [
        np.mean([n.label == label for n in index.nearest(cnn_bn, x, 8)])
        for x, label in zip(
            training_inputs(cnn_bn, test), mnist.test.labels.numpy()[:20], strict=True
        )
    ]
    assert np.mean(shares) > 0.9


def test_probes_change_a_copy():
    turned = apply(SEVEN, Probes(rotation=30))
    assert turned != SEVEN and SEVEN.strokes[0].points[0].x == 70
    assert apply(SEVEN, Probes()) is SEVEN
    thick = apply(SEVEN, Probes(thickness=2))
    assert thick.strokes[0].brush == 2 * SEVEN.strokes[0].brush
    small = apply(SEVEN, Probes(size=20))
    assert current_size(small) == pytest.approx(20)
    moved = apply(SEVEN, Probes(shift_x=10))
    assert moved.bounds()[0] == pytest.approx(SEVEN.bounds()[0] + 28)


def test_probes_refuse_absurd_values():
    with pytest.raises(ValueError, match="Rotation must be within"):
        Probes(rotation=90)
    with pytest.raises(ValueError, match="Thickness"):
        Probes(thickness=float("nan"))


def test_probes_on_a_picture():
    picture = np.full((280, 280), 255, np.float32)
    picture[60:220, 130:150] = 0
    turned = apply(picture, Probes(rotation=45))
    assert turned.shape == picture.shape and picture[60, 140] == 0
    rows = np.flatnonzero((turned < 128).any(axis=1))
    assert rows[-1] - rows[0] < 150  # a tilted bar is less tall
    thicker = apply(picture, Probes(thickness=3))
    assert (thicker < 128).sum() > (picture < 128).sum()


def test_sweep_flips_a_one_lying_down(cnn_bn):
    values, probabilities = sweep(ONE, cnn_bn, "rotation")
    assert probabilities.shape == (21, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    middle = probabilities[10].argmax()
    assert values[10] == 0 and middle == 1
    assert probabilities[:, 1].min() < probabilities[10, 1]
