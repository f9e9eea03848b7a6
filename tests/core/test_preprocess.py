import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_canvas.ink.drawing import (
    MAX_BRUSH,
    MAX_CANVAS_SIDE,
    MAX_COORDINATE,
    MAX_PRESSURE,
    Drawing,
    Stroke,
)
from mnist_canvas.pipeline import steps
from mnist_canvas.pipeline.preprocess import preprocess
from mnist_canvas.pipeline.steps import (
    MNIST_MEAN,
    MNIST_STD,
    STEP_NAMES,
    STEPS,
    center_of_mass,
    switches,
)


def run(source, switched=None):
    """Preprocess, keeping every stage's image for the assertions."""
    return preprocess(source, switched, stages=True)


def digit(points, brush=14.0, size=280):
    return Drawing(size, size, (Stroke.from_points(points, brush),))


SEVEN = [(60, 40), (200, 40), (110, 240)]


def stage(result, name):
    return next(s for s in result.stages if s.name == name).pixels


def ink_box(pixels, background=0.0):
    ink = np.abs(pixels - background) > 0.1 * np.abs(pixels - background).max()
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_stages_come_back_in_order_with_names():
    result = run(digit(SEVEN))
    assert [s.name for s in result.stages] == ["canvas", *STEP_NAMES]
    assert [s.enabled for s in result.stages[1:]] == [step.default for step in STEPS]
    assert result.input.shape == (28, 28)
    assert result.input.dtype == np.float32
    np.testing.assert_array_equal(result.stages[-1].pixels, result.input)


def test_an_off_centre_digit_ends_centred():
    corner = [(x * 0.3 + 2, y * 0.3 + 2) for x, y in SEVEN]
    result = run(digit(corner, brush=6))
    cy, cx = center_of_mass(stage(result, "center"), 0.0)
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5


def test_centre_off_places_the_box_not_the_mass():
    off = run(digit(SEVEN), {"center": False})
    on = run(digit(SEVEN), {"center": True})
    assert not np.array_equal(off.input, on.input)
    _, cx = center_of_mass(stage(on, "center"), 0.0)
    assert abs(cx - 13.5) <= 0.5
    _, cx = center_of_mass(stage(off, "center"), 0.0)
    assert abs(cx - 13.5) > 0.5  # a 7's mass sits right of its box centre


@pytest.mark.parametrize("height", [4, 30, 270])
def test_tiny_and_huge_digits_end_with_a_20_px_longer_side(height):
    top = 140 - height / 2
    points = [(140, top), (140 + height / 3, top + height)]
    result = run(digit(points, brush=max(1.0, height / 10)))
    assert max(stage(result, "fit").shape) == 20
    assert max(ink_box(stage(result, "center"))) in (19, 20, 21)


def test_aspect_ratio_is_kept():
    tall = [(120, 40), (160, 40), (160, 240), (120, 240), (120, 40)]
    h, w = stage(run(digit(tall, brush=4), {"pen": False}), "fit").shape
    assert h == 20 and abs(w - 20 * 44 / 204) <= 1


def test_scale_off_gives_raw_0_to_255():
    result = run(digit(SEVEN), {"scale": False, "normalize": False})
    assert result.input.max() == pytest.approx(255.0, abs=1)
    result = run(digit(SEVEN), {"normalize": False})
    assert 0.99 <= result.input.max() <= 1.0 and result.input.min() == 0.0


def test_normalize_uses_mnist_statistics():
    result = run(digit(SEVEN))
    assert result.input.min() == pytest.approx(-MNIST_MEAN / MNIST_STD, abs=1e-4)


def test_polarity_white_ink_on_black_and_off_keeps_black_on_white():
    on = run(digit(SEVEN), {"normalize": False})
    assert on.input[0, 0] == 0.0 and on.input.max() > 0.9
    off = run(digit(SEVEN), {"normalize": False, "invert": False})
    assert off.input[0, 0] == 1.0 and off.input.min() < 0.1


def test_crop_off_shrinks_the_whole_canvas():
    small = [(x * 0.4 + 100, y * 0.4 + 100) for x, y in SEVEN]
    on = run(digit(small, brush=5))
    off = run(digit(small, brush=5), {"crop": False})
    # Nothing is cut away: the crop stage is the whole (square) canvas.
    assert stage(off, "crop").shape == stage(off, "invert").shape
    assert stage(off, "crop").shape[0] == stage(off, "crop").shape[1]
    assert max(ink_box(stage(off, "center"))) < 10 < max(ink_box(stage(on, "center")))


def test_antialias_keeps_thin_strokes_ink_when_shrinking():
    ring = [
        (140 + 120 * np.cos(t), 140 + 120 * np.sin(t))
        for t in np.linspace(0, 2 * np.pi, 200)
    ]
    drawing = digit(ring, brush=2)
    cropped = stage(run(drawing, {"pen": False}), "crop")
    expected = cropped.sum() * (20 / max(cropped.shape)) ** 2

    def fitted(on):
        return stage(run(drawing, {"antialias": on, "pen": False}), "fit")

    # Averaging over each output pixel's area conserves ink and turns a thin
    # line into a faint grey one; point samples hit it at full black or miss it.
    assert fitted(True).sum() == pytest.approx(expected, rel=0.15)
    assert fitted(True).max() < 0.5 * 255
    assert fitted(False).max() > 0.8 * 255
    assert (fitted(False) < 0.05 * 255).mean() > (fitted(True) < 0.05 * 255).mean()


def test_fit_off_keeps_native_size():
    result = run(digit(SEVEN), {"fit": False})
    assert stage(result, "fit").shape == stage(result, "crop").shape
    assert result.input.shape == (28, 28)


def test_empty_drawing_gives_an_explicit_empty_result():
    for empty in (Drawing(), Drawing(strokes=(Stroke(()),))):
        result = run(empty)
        assert result.is_empty and result.input is None
        assert [s.name for s in result.stages] == ["canvas"]


def test_unknown_step_names_are_refused_with_the_list():
    with pytest.raises(ValueError, match="invert"):
        switches(["nonsense"])


def test_pictures_enter_at_the_canvas_stage_either_polarity():
    drawn = run(digit(SEVEN), {"pen": False})
    picture = stage(drawn, "canvas")
    from_picture = run(picture)
    np.testing.assert_allclose(from_picture.input, drawn.input, atol=1e-5)
    inverted = run(255.0 - picture)
    np.testing.assert_allclose(inverted.input, drawn.input, atol=1e-5)


coordinate = st.floats(-MAX_COORDINATE, MAX_COORDINATE)  # the extremes allowed
point = st.tuples(coordinate, coordinate, st.floats(0, MAX_PRESSURE))
stroke = st.builds(
    lambda pts, brush: Stroke.from_points(pts, brush),
    st.lists(point, min_size=0, max_size=12),
    st.floats(0.01, MAX_BRUSH),
)
drawings = st.builds(
    Drawing,
    st.floats(0.5, MAX_CANVAS_SIDE),
    st.floats(0.5, MAX_CANVAS_SIDE),
    st.lists(stroke, max_size=6).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawings, st.sets(st.sampled_from(STEP_NAMES)))
def test_any_drawing_gives_a_finite_28x28_input_in_range(drawing, off):
    result = run(drawing, switches(off))
    if result.is_empty:
        return
    x = result.input
    assert x.shape == (28, 28) and np.isfinite(x).all()
    scale = 1.0 if "scale" in off else 255.0
    low, high = 0.0, 255.0 / scale
    if "normalize" not in off:
        low, high = (low - MNIST_MEAN) / MNIST_STD, (high - MNIST_MEAN) / MNIST_STD
    assert low - 1e-3 <= x.min() and x.max() <= high + 1e-3


def test_a_dot_missed_by_point_sampling_still_gives_a_finite_input():
    dot = Drawing(1, 1, (Stroke.from_points([(0, 1, 0)], brush=1),))
    result = run(dot, switches(["antialias", "crop"]))
    assert result.input is not None and np.isfinite(result.input).all()


def test_even_pen_makes_brush_width_and_size_stop_mattering():
    def model_input(points, brush, pen):
        return run(digit(points, brush=brush), {"pen": pen}).input

    small = [(x * 0.3 + 20, y * 0.3 + 30) for x, y in SEVEN]
    thin, thick = model_input(SEVEN, 4, True), model_input(small, 28, True)
    assert np.abs(thin - thick).mean() < 0.15
    thin, thick = model_input(SEVEN, 4, False), model_input(small, 28, False)
    assert np.abs(thin - thick).mean() > 0.4


def test_even_pen_leaves_pictures_alone():
    picture = stage(run(digit(SEVEN)), "canvas")
    on = run(picture, {"pen": True})
    np.testing.assert_array_equal(on.input, run(picture).input)


@pytest.mark.parametrize("shape", [(1, 7), (37, 100), (100, 100), (260, 9)])
def test_fit_reads_the_owed_average_only_where_it_samples_with_the_same_values(
    shape,
):
    rng = np.random.default_rng(sum(shape))
    image = steps.Image(rng.uniform(0, 255, shape).astype(np.float32), 0.0)
    owing = steps._antialias(image, True, True)
    assert owing.settled().pixels.shape == shape
    assert (owing.owed != (1, 1)) == (max(shape) >= 60)  # shrinking 3× or more
    fused = steps._fit(owing, True).pixels
    assert np.allclose(fused, steps._fit(owing.settled(), True).pixels, atol=1e-3)


@pytest.mark.parametrize("off", [[], ["pen"], ["invert"], ["antialias"], ["fit"]])
@pytest.mark.parametrize("brush", [3, 14, 40])
def test_rendering_only_the_inks_box_gives_the_whole_canvas_answer(off, brush):
    """Without stages, crop's input is rendered at the ink's box alone; with
    stages the whole canvas is: the model's input must not tell them apart."""
    drawing = Drawing(
        280, 200,
        (Stroke.from_points([(30, 20), (200, 40), (90, 180)], brush),
         Stroke.from_points([(60, 100), (150, 100)], brush / 2)),
    )  # fmt: skip
    fast = preprocess(drawing, switches(off))
    shown = preprocess(drawing, switches(off), stages=True)
    assert np.array_equal(fast.input, shown.input)


def test_strokes_are_swapped_only_for_the_same_points():
    drawing = Drawing(strokes=(Stroke.from_points([(1, 1), (9, 9)]),))
    bolder = drawing.with_strokes(tuple(s.with_brush(30) for s in drawing.strokes))
    assert bolder.strokes[0].brush == 30 and drawing.strokes[0].brush != 30
    assert bolder.point_count == drawing.point_count
    other = Stroke.from_points([(1, 1), (9, 9)])  # equal points, not the same
    with pytest.raises(ValueError):
        drawing.with_strokes((other,))
    with pytest.raises(ValueError, match="brush"):
        drawing.strokes[0].with_brush(float("nan"))
