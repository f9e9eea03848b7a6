import math

import pytest

from mnist_canvas.ink.drawing import Drawing, Point, Stroke


def test_json_round_trip_keeps_everything():
    drawing = Drawing(
        300,
        200,
        (
            Stroke.from_points([(1, 2), (3.5, 4.25, 0.5)], brush=7),
            Stroke.from_points([(10, 10)], brush=30),
        ),
    )
    again = Drawing.from_json(drawing.to_json())
    assert again == drawing
    assert again.strokes[0].points[1].pressure == 0.5


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        Point(bad, 1)
    with pytest.raises(ValueError, match="finite"):
        Stroke.from_points([(1, bad)])


@pytest.mark.parametrize("size", [(0, 10), (10, -1), (math.nan, 10)])
def test_canvas_must_have_a_positive_size(size):
    with pytest.raises(ValueError, match="canvas"):
        Drawing(*size)


@pytest.mark.parametrize("brush", [0, -3])
def test_brush_must_be_positive(brush):
    with pytest.raises(ValueError, match="brush"):
        Stroke.from_points([(1, 1)], brush=brush)


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"strokes": 3}', '{"strokes": [{"nope": 1}]}']
)
def test_malformed_drawing_files_give_a_value_error(text):
    with pytest.raises(ValueError):
        Drawing.from_json(text)


def test_empty_and_bounds():
    assert Drawing().is_empty
    assert Drawing(strokes=(Stroke(()),)).is_empty
    d = Drawing().with_stroke(Stroke.from_points([(5, 7), (20, 3)]))
    assert not d.is_empty
    assert d.bounds() == (5, 3, 20, 7)
