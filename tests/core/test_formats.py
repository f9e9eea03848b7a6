"""Every format we read, fed random input: the result is a value or our own
error type (ValueError for drawings, DataError, CheckpointError), never any
other exception."""

import json
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import save_file

from mnist_canvas.data import DataError
from mnist_canvas.data.mnist import MNIST_FILES, load_mnist
from mnist_canvas.data.strokes import read_strokes
from mnist_canvas.ink.drawing import Drawing
from mnist_canvas.models.checkpoint_file import (
    CheckpointError,
    load_checkpoint,
    read_metadata,
)
from mnist_canvas.models.registry import ModelConfig

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 280, 4096, 4097, 1e300, -0.0]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=20,
)


def maybe(value_strategy):
    """Either a value the schema expects or anything at all."""
    return st.one_of(value_strategy, json_values)


xy_dicts = st.fixed_dictionaries({"x": numbers, "y": numbers})  # a common mistake
points = st.lists(
    maybe(st.lists(numbers, min_size=1, max_size=4)) | xy_dicts, max_size=6
)
strokes = st.lists(
    maybe(st.lists(maybe(st.lists(numbers, max_size=3)) | xy_dicts, max_size=4)),
    max_size=3,
)


def optional_keys(**strategies):
    return st.fixed_dictionaries({}, optional=strategies)


drawing_json = st.one_of(
    json_values,
    optional_keys(
        format=maybe(st.just("mnist-canvas-drawing")),
        version=maybe(st.just(1)),
        canvas=maybe(st.lists(numbers, min_size=2, max_size=2)),
        strokes=maybe(
            st.lists(
                maybe(optional_keys(brush=maybe(numbers), points=maybe(points))),
                max_size=3,
            )
        ),
    ),
)


@SETTINGS
@given(drawing_json)
def test_any_json_is_a_drawing_or_a_value_error(value):
    try:
        drawing = Drawing.from_json(json.dumps(value))
    except ValueError:
        return
    assert isinstance(drawing, Drawing)


@SETTINGS
@given(
    st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)
def test_any_text_is_a_drawing_or_a_value_error(text):
    try:
        Drawing.from_json(text)
    except ValueError:
        pass


record_json = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"label": maybe(st.integers(0, 9)), "strokes": maybe(strokes)},
        optional={
            "canvas": maybe(st.lists(numbers, min_size=2, max_size=2)),
            "brush": maybe(numbers),
            "writer": maybe(st.text(max_size=5)),
        },
    ),
)


@SETTINGS
@given(st.lists(record_json, min_size=1, max_size=3))
def test_any_stroke_lines_are_records_or_a_data_error(tmp_path, lines):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    try:
        for record in read_strokes(path):
            assert 0 <= record.label <= 9
    except DataError as error:
        assert "records.jsonl:" in str(error)


# -- checkpoints: random bytes, and random safetensors headers -----------------

metadata_json = st.one_of(
    json_values,
    optional_keys(
        model=maybe(
            optional_keys(
                arch=maybe(st.sampled_from(["mlp", "cnn", "x"])),
                activation=maybe(st.sampled_from(["relu", "sigmoid"])),
                dropout=maybe(st.booleans()),
            )
        ),
        preprocessing=maybe(
            st.dictionaries(st.sampled_from(["pen", "crop", "x"]), scalars)
        ),
        metrics=maybe(st.dictionaries(st.text(max_size=4), scalars)),
        training=maybe(optional_keys(augment=maybe(st.lists(st.text(max_size=4))))),
        parameters=scalars,
        epochs_run=scalars,
        command=scalars,
    ),
)
tensor_entries = st.dictionaries(
    st.text(max_size=8),
    maybe(
        optional_keys(
            dtype=maybe(st.sampled_from(["F32", "I64", "U8", "BOGUS"])),
            shape=maybe(st.lists(st.integers(-2, 300), max_size=3)),
            data_offsets=maybe(st.lists(st.integers(-5, 2000), min_size=2, max_size=2)),
        )
    ),
    max_size=3,
)


def safetensors_bytes(header: dict, payload: bytes, fake_length: int | None) -> bytes:
    text = json.dumps(header).encode()
    length = len(text) if fake_length is None else fake_length
    return struct.pack("<Q", length) + text + payload


headers = st.builds(
    lambda tensors, meta, metadata_extra: {
        **tensors,
        "__metadata__": {"mnist_canvas": json.dumps(meta), **metadata_extra},
    },
    st.just({}) | tensor_entries,  # no tensors: the metadata is read
    metadata_json,
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(
            safetensors_bytes,
            headers | json_values,
            st.just(b"") | st.binary(max_size=400),
            st.sampled_from([None, None, None, 0, 1, 2**63])
            | st.integers(0, 2**64 - 1),
        ),
    )
)
def test_any_bytes_are_a_checkpoint_or_a_checkpoint_error(tmp_path, data):
    path = tmp_path / "m.safetensors"
    path.write_bytes(data)
    try:
        _, metadata = load_checkpoint(path)
    except CheckpointError as error:
        assert "m.safetensors" in str(error)
        return
    assert isinstance(metadata, dict)


@SETTINGS
@given(metadata_json, st.dictionaries(st.text(max_size=4), st.text(max_size=4)))
def test_any_metadata_is_checked_or_a_checkpoint_error(tmp_path, meta, others):
    path = tmp_path / "m.safetensors"
    save_file({}, str(path), metadata={**others, "mnist_canvas": json.dumps(meta)})
    try:
        metadata = read_metadata(path)
    except CheckpointError as error:
        assert "m.safetensors" in str(error)
        return
    assert ModelConfig.from_dict(metadata["model"]).arch in ("mlp", "cnn")
    assert all(
        isinstance(on, bool) for on in metadata.get("preprocessing", {}).values()
    )


# -- MNIST: random headers and sizes for each kind of file ------------------------


@pytest.fixture(scope="module")
def mnist_folder(tmp_path_factory):
    """Blank files of the standard sizes (the last one replaced per example),
    with one cache shared by all examples so only changed files are copied."""
    folder = tmp_path_factory.mktemp("mnist")
    for name, size in MNIST_FILES.items():
        images = "images" in name
        header = [2051, (size - 16) // 784, 28, 28] if images else [2049, size - 8]
        head = b"".join(n.to_bytes(4, "big") for n in header)
        (folder / name).write_bytes(head + bytes(size - len(head)))
    return folder, tmp_path_factory.mktemp("cache")


idx_header = st.builds(
    lambda magic, dims: b"".join(n.to_bytes(4, "big") for n in [magic, *dims]),
    st.sampled_from([2049, 2051, 0, 0x1F8B0800]) | st.integers(0, 2**32 - 1),
    st.lists(
        st.sampled_from([28, 10000, 60000]) | st.integers(0, 2**32 - 1), max_size=3
    ),
)


@settings(SETTINGS, max_examples=60)
@given(
    st.sampled_from(["t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]),
    idx_header,
    st.binary(max_size=64) | st.integers(0, 255),  # a number: fill to the full size
)
def test_any_idx_header_is_mnist_or_a_data_error(mnist_folder, name, header, body):
    folder, cache = mnist_folder
    original = (folder / name).read_bytes()
    if isinstance(body, int):
        body = bytes([body]) * max(0, MNIST_FILES[name] - len(header))
    try:
        (folder / name).write_bytes(header + body)
        mnist = load_mnist(folder, cache=cache)
    except DataError as error:
        assert name in str(error)
    else:
        assert mnist.test.images.shape == (10000, 28, 28)
        assert 0 <= mnist.test.labels.min() <= mnist.test.labels.max() <= 9
    finally:
        (folder / name).write_bytes(original)
