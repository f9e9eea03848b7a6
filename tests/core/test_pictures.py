"""Picture files: anything a damaged or hostile file holds is a ValueError."""

import io
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mnist_canvas.ink.pictures import load_picture


def picture(fmt: str) -> bytes:
    data = io.BytesIO()
    Image.new("L", (40, 30), 200).save(data, format=fmt)
    return data.getvalue()


def bmp_claiming(width: int, height: int) -> bytes:
    data = bytearray(picture("BMP"))
    data[18:26] = width.to_bytes(4, "little") + height.to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 6_000)])
def test_a_picture_claiming_to_be_huge_is_refused_by_size(tmp_path, size):
    path = tmp_path / "bomb.bmp"
    path.write_bytes(bmp_claiming(*size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"bomb\.bmp: .*too large .*50,000,000"):
            load_picture(path, (280, 280))


FORMATS = ["PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(FORMATS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    st.none() | st.integers(0, 10**6),
)
def test_damaged_pictures_load_or_give_a_value_error(tmp_path, fmt, changes, cut):
    data = bytearray(picture(fmt))
    for at, value in changes:
        data[at % len(data)] = value
    path = tmp_path / f"p.{fmt.lower()}"
    path.write_bytes(bytes(data[:cut]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pixels = load_picture(path, (280, 280))
        except ValueError as error:
            assert str(path) in str(error)
            return
    assert pixels.shape == (280, 280)
