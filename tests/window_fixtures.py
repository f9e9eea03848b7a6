"""Fixtures for tests that drive the real main window (imported by them)."""

import json
import shutil

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from safetensors.torch import load_file, save_file

from mnist_canvas.app import main_window
from mnist_canvas.app.features import stop_all
from mnist_canvas.app.main_window import MainWindow
from mnist_canvas.models.checkpoint_file import META_KEY
from mnist_canvas.models.classifier import shipped_weights_dir

ONE = [(150, 50), (146, 120), (140, 230)]
SEVEN = [(70, 50), (210, 50), (120, 240)]


@pytest.fixture
def messages(monkeypatch):
    """Record message boxes instead of showing them."""
    shown = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return QMessageBox.StandardButton.Discard

        return box

    for kind in ("warning", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path, messages):
    windows = []

    def make(settings_name="settings.ini", **options):
        settings = QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)
        window = MainWindow(settings, **options)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:  # what closing the window stops
        window.predictor.stop()
        stop_all(window.views)


@pytest.fixture
def window(make_window):
    return make_window()


def settle(qtbot, window):
    """Wait until the shown result answers the newest request."""
    serial = window.request_prediction()
    qtbot.waitUntil(lambda: window.probabilities.serial >= serial, timeout=60_000)


@pytest.fixture
def weights_copy(tmp_path, monkeypatch):
    """A copy of the shipped weights, and an empty user models folder."""
    folder = tmp_path / "weights"
    shutil.copytree(shipped_weights_dir(), folder)
    monkeypatch.setenv("MNIST_CANVAS_WEIGHTS", str(folder))
    user = tmp_path / "user-models"
    user.mkdir()
    monkeypatch.setattr(main_window, "user_models_dir", lambda: user)
    return folder


def copy_with_metadata(source, target, change) -> None:
    """Write `source`'s weights to `target` with its metadata passed through
    `change` (a function that edits the dict in place)."""
    raw = source.read_bytes()
    header = json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")])
    meta = json.loads(header["__metadata__"][META_KEY])
    change(meta)
    tensors = load_file(source)
    save_file(tensors, target, metadata={META_KEY: json.dumps(meta)})
