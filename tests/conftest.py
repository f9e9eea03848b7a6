"""Shared fixtures. Qt runs headless; data comes from $MNIST_CANVAS_DATA."""

import gc
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from mnist_canvas.data import DATA_ENV, PEN_DIGITS_FILE


def _data_path(relative: str) -> Path:
    root = os.environ.get(DATA_ENV)
    if not root:
        pytest.skip(f"{DATA_ENV} is not set: no MNIST or pen-digit data to test on")
    path = Path(root) / relative
    if not path.exists():
        pytest.skip(f"{path} is absent ({DATA_ENV}={root})")
    return path


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    return _data_path("mnist")


@pytest.fixture(scope="session")
def pen_digits() -> Path:
    return _data_path(PEN_DIGITS_FILE)


@pytest.fixture(scope="session")
def mnist(mnist_dir, tmp_path_factory):
    from mnist_canvas.data.mnist import load_mnist

    return load_mnist(mnist_dir, cache=tmp_path_factory.mktemp("mnist-cache"))


# The person's own, before the session's folder replaces them.
PERSON_ENV = {name: os.environ.get(name) for name in ("APPDATA", "HOME")}


@pytest.fixture(scope="session", autouse=True)
def own_data_folder(tmp_path_factory):
    """The user's data folder (my digits, personalised models) is the
    session's own: no test reads or changes the person's, and every window's
    start-up reading of my digits finds the same (empty) collection."""
    folder = str(tmp_path_factory.mktemp("data"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", folder)  # Linux and the BSDs
        patch.setenv("APPDATA", folder)  # Windows
        if sys.platform == "darwin":  # ~/Library/Application Support
            patch.setenv("HOME", folder)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_modal_dialogs():
    """Headless, a modal message box would wait forever: answer them all, for
    the whole session, so that also windows pytest-qt closes after a test's own
    patches are undone (an unsaved drawing asks "Save first?") never block.
    Tests that check messages patch these again for themselves."""
    try:
        from PySide6.QtWidgets import QMessageBox
    except ImportError:
        yield
        return
    buttons = QMessageBox.StandardButton

    def answer(*args, **kwargs):
        return buttons.Discard

    with pytest.MonkeyPatch.context() as patch:
        for name in ("question", "warning", "information", "critical", "about"):
            patch.setattr(QMessageBox, name, staticmethod(answer))
        yield


@pytest.fixture(autouse=True)
def collect_garbage_between_tests(request):
    """Each Qt test's cyclic garbage (closed windows, their Qt wrappers) is
    collected when it ends, after pytest-qt has closed its widgets, not by the
    collector at some allocation in a later test while that test's worker
    threads run: a collection there crashed the interpreter once (in
    test_explorer_window, with the explorer's reader thread running). Tests
    without Qt's application leave no such garbage and skip the collection,
    which costs a tenth of a second or more with torch loaded."""
    yield
    if {"qtbot", "qapp"} & set(request.fixturenames):
        gc.collect()


@pytest.fixture
def calls(monkeypatch):
    """`calls(module, name)`: the arguments of every call to `module.name`
    from now on (the function still runs), as a list that grows."""

    def record(module, name: str) -> list:
        made, real = [], getattr(module, name)

        def recorded(arg, *args, **kwargs):
            made.append(arg)
            return real(arg, *args, **kwargs)

        monkeypatch.setattr(module, name, recorded)
        return made

    return record


@pytest.fixture
def offline(monkeypatch):
    """Synthetic data and no pen digits, so train.py's command runs in a second."""
    from training_data import synthetic

    from mnist_canvas import train_cli

    monkeypatch.setattr(train_cli, "load_mnist", lambda *a, **k: synthetic())
    monkeypatch.setattr(train_cli, "_pen_accuracy", lambda *a: {})
