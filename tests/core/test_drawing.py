import json
import math

import pytest

from mnist_canvas.ink.drawing import MAX_POINTS, Drawing, Point, Stroke, load_drawing


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


def drawing_text(canvas=(280, 280), points=((1, 2),), brush=10, **extra) -> str:
    stroke = {"brush": brush, "points": list(points)}
    return json.dumps({"canvas": canvas, "strokes": [stroke], **extra})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (drawing_text(canvas=5), r"'canvas' must be \[width, height\], not 5"),
        (drawing_text(canvas=[1e300, 1e300]), "canvas width must be at most 4096"),
        (drawing_text(canvas=[20000, 20000]), "canvas width must be at most 4096"),
        (drawing_text(canvas=[280, "tall"]), "canvas height must be a number"),
        (drawing_text(canvas=[280, None]), "canvas height must be a number"),
        (drawing_text(canvas=[280, True]), "canvas height must be a number"),
        (drawing_text(canvas=[1, 2, 3]), r"'canvas' must be \[width, height\]"),
        (drawing_text(points=[[1]]), r"stroke 0: point 0: .*\[x, y\]"),
        (drawing_text(points=[{"x": 1, "y": 2}]), r"stroke 0: point 0: .*\[x, y\]"),
        (drawing_text(points=[[1, 2], "ab"]), r"stroke 0: point 1: "),
        (drawing_text(points=[[1, [2]]]), "y coordinate must be a number"),
        (drawing_text(points=[[1, 10**400]]), "y coordinate must be a finite"),
        (drawing_text(points=[[1, 2, 1.5]]), "pressure must be between 0 and 1"),
        (drawing_text(points=[[1, 2, -0.5]]), "pressure must be between 0 and 1"),
        (drawing_text(points=[[3000, 2]]), r"within ±2800 \(10 ×"),
        (drawing_text(points=[[1e9, 2]]), "x coordinate must lie within ±40960"),
        (drawing_text(brush=300), "brush width 300 is wider than the canvas"),
        (drawing_text(brush=1e300), "brush width must be at most 40960"),
        (drawing_text(brush="x"), "brush width must be a number"),
        (drawing_text(brush=None), "brush width must be a number"),
        ('{"strokes": [null]}', "stroke 0: .*'points' list"),
        ('{"strokes": [{"points": 7}]}', "'points' list"),
        ('{"strokes": null}', "'strokes' must be a list"),
        ('{"strokes": [], "format": "svg"}', "not a drawing file: format 'svg'"),
        ('{"strokes": [], "version": 7}', "version 7 is not one"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"strokes": [], "canvas": [' + "9" * 5000 + ", 1]}", "thousands of digits"),
        ('{"strokes": [], "canvas": [NaN, 1]}', "finite number, not nan"),
        ('{"strokes": [], "canvas": [Infinity, 1]}', "finite number, not inf"),
    ],
)
def test_bad_drawing_files_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        Drawing.from_json(text)


def test_point_count_is_limited_and_the_limit_named():
    stroke = Stroke.from_points([(1, 1)] * (MAX_POINTS // 2))
    Drawing(strokes=(stroke, stroke))  # exactly at the limit
    with pytest.raises(ValueError, match="at most 200,000 points"):
        Drawing(strokes=(stroke, stroke, Stroke.from_points([(1, 1)])))
    full = Drawing(strokes=(stroke,)).with_stroke(stroke)
    assert full.point_count == MAX_POINTS and full == Drawing(strokes=(stroke, stroke))
    with pytest.raises(ValueError, match="at most 200,000 points"):
        full.with_stroke(Stroke.from_points([(1, 1)]))
    with pytest.raises(ValueError, match="Stroke objects"):
        Drawing().with_stroke([(1, 1)])
    with pytest.raises(ValueError, match="at most 200,000 points"):
        Drawing.from_json(drawing_text(points=[[1, 1]] * (MAX_POINTS + 1)))


def test_limits_apply_to_objects_built_in_code():
    with pytest.raises(ValueError, match="at most 4096"):
        Drawing(1e300, 1e300)
    with pytest.raises(ValueError, match="must be a number"):
        Point("1", 2)
    with pytest.raises(ValueError, match="Point objects"):
        Stroke(((1, 2),))
    with pytest.raises(ValueError, match=r"\[x, y\]"):
        Stroke.from_points([5])


def test_load_drawing_names_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(drawing_text(canvas=5))
    with pytest.raises(ValueError, match=r"bad\.json: 'canvas' must be"):
        load_drawing(path)


def test_a_file_too_large_to_be_a_drawing_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr("mnist_canvas.ink.drawing.MAX_FILE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(drawing_text(points=[[1, 1]] * 20))
    with pytest.raises(ValueError, match=r"big\.json: larger than 100 bytes"):
        load_drawing(path)


@pytest.mark.parametrize(
    ("points", "message"),
    [([[True, 0]], "must be a number"), ([[1e6, 0]], "canvas"), ([[0, "1"]], "number")],
)
def test_a_files_points_are_checked_once_and_equal_points_built_in_code(
    points, message
):
    from mnist_canvas.data import DataError
    from mnist_canvas.data.strokes import parse_record

    record = {"label": 1, "canvas": [280, 280], "brush": 9}
    digit = parse_record({**record, "strokes": [[[10, 20.5], [30, 40]]]}, "f", 1)
    built = Stroke.from_points([(10, 20.5), (30, 40)], brush=9)
    assert digit.drawing.strokes == (built,)
    read = digit.drawing.strokes[0].points
    assert all(type(v) is float for p in read for v in (p.x, p.y, p.pressure))
    with pytest.raises(DataError, match=message):
        parse_record({**record, "strokes": [points]}, "f", 1)


@pytest.mark.parametrize("canvas", [[0.4, 0.4], [280, 0.9]])
def test_a_canvas_under_one_pixel_is_refused(tmp_path, canvas):
    # A picture opened on it was fitted to 0×0 and every model was blamed.
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"canvas": canvas, "strokes": []}))
    with pytest.raises(ValueError, match="at least 1×1"):
        load_drawing(path)


def test_a_drawing_file_that_never_ends_is_refused_not_read_to_the_end(tmp_path):
    endless = tmp_path / "endless.json"
    endless.symlink_to("/dev/zero")  # its size reads 0: once read until memory ran out
    with pytest.raises(ValueError, match="too large for a drawing"):
        load_drawing(endless)
