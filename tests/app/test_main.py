"""Starting the app with a file: `mnist-canvas FILE`, `python -m mnist_canvas FILE`."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings
from window_fixtures import SEVEN, messages  # noqa: F401

from mnist_canvas.app.main import open_window, parse_arguments
from mnist_canvas.ink.drawing import Drawing, Stroke, save_drawing


@pytest.fixture
def start(qtbot, tmp_path, messages):
    windows = []

    def start_with(file):
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        window = open_window(file, settings)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield start_with
    for window in windows:
        window.predictor.stop()


def test_a_drawing_given_at_start_is_opened(start, tmp_path, messages):
    path = tmp_path / "seven.json"
    save_drawing(path, Drawing(280, 280, [Stroke.from_points(SEVEN)]))
    window = start(str(path))
    assert len(window.canvas.drawing.strokes) == 1
    assert window.windowTitle().startswith("seven.json —")
    assert window.document.file_path == path and not messages


def test_a_picture_given_at_start_is_opened(start, tmp_path):
    from mnist_canvas.ink.pictures import save_gray_png

    save_gray_png(tmp_path / "grey.png", [[0, 255], [255, 0]])
    window = start(str(tmp_path / "grey.png"))
    assert window.canvas.picture is not None


@pytest.mark.parametrize("content", [None, b"{broken", b'{"canvas": 5}'])
def test_a_bad_file_at_start_gives_a_message_and_an_empty_canvas(
    start, tmp_path, messages, content
):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    window = start(str(path))
    assert window.isVisible() and window.canvas.is_empty()
    assert [m[:2] for m in messages] == [("warning", "Cannot open")]
    assert "bad.json" in messages[0][2]


def test_arguments():
    assert parse_arguments([]).file is None
    assert parse_arguments(["x.json"]).file == "x.json"
    with pytest.raises(SystemExit) as exit_:
        parse_arguments(["a", "b"])
    assert exit_.value.code == 2


def test_module_help_names_the_file_argument():
    done = subprocess.run(
        [sys.executable, "-m", "mnist_canvas", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0 and "usage: mnist-canvas [-h] [file]" in done.stdout
