import numpy as np

from mnist_canvas.ink.drawing import MAX_BRUSH, MAX_COORDINATE, Drawing, Point, Stroke
from mnist_canvas.ink.raster import ink_coverage, render


def line(points, brush=10.0, size=100):
    return Drawing(size, size, (Stroke.from_points(points, brush),))


def test_canvas_convention_white_paper_black_ink():
    image = render(line([(20, 50), (80, 50)]))
    assert image.shape == (100, 100)
    assert image[0, 0] == 255.0
    assert image[50, 50] == 0.0


def test_edges_are_anti_aliased():
    coverage = ink_coverage(line([(10, 10), (90, 73)], brush=6))
    partial = (coverage > 0.05) & (coverage < 0.95)
    # A diagonal edge crosses pixels partly: they must get grey levels.
    assert partial.sum() > 50
    assert len(np.unique(np.round(coverage, 3))) > 5


def test_width_follows_brush_times_pressure():
    def ink(pressure):
        stroke = Stroke((Point(20, 50, pressure), Point(80, 50, pressure)), 10)
        return ink_coverage(Drawing(100, 100, (stroke,))).sum()

    # Ink area of a 60 px segment with round caps is about length × width.
    assert abs(ink(1.0) - (60 * 10 + np.pi * 25)) < 30
    assert abs(ink(0.5) - (60 * 5 + np.pi * 6.25)) < 20


def test_single_point_is_a_round_dot():
    coverage = ink_coverage(line([(50, 50)], brush=20))
    assert abs(coverage.sum() - np.pi * 100) < 8
    rows = np.flatnonzero(coverage.max(axis=1) > 0.5)
    cols = np.flatnonzero(coverage.max(axis=0) > 0.5)
    assert 19 <= len(rows) <= 21 and 19 <= len(cols) <= 21


def test_any_requested_size_scales_the_drawing():
    drawing = line([(20, 50), (80, 50)], brush=10)
    small = ink_coverage(drawing, (50, 50))
    assert small.shape == (50, 50)
    assert abs(small.sum() * 4 - ink_coverage(drawing).sum()) < 20


def test_absurd_coordinates_render_quickly_and_safely():
    far = MAX_COORDINATE  # the farthest a point may lie
    drawing = line([(-far, far / 2), (50, 50), (far, far)], brush=MAX_BRUSH)
    image = render(drawing)
    assert np.isfinite(image).all()
