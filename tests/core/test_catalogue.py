"""The model catalogue: one list, usable or with the reason, without Qt."""

import os
import shutil
import subprocess
import sys

import pytest
from conftest import PERSON_ENV

from mnist_canvas import files
from mnist_canvas.models.catalogue import Catalogue
from mnist_canvas.models.classifier import shipped_weights_dir
from mnist_canvas.models.registry import DEFAULT_MODEL

DEFAULT_FILE = shipped_weights_dir() / f"{DEFAULT_MODEL}.safetensors"


def test_shipped_models_come_default_first_and_usable(tmp_path):
    found = Catalogue.scan(user_dir=tmp_path)
    names = list(found.usable())
    assert names[0] == DEFAULT_MODEL and "mlp" in names
    assert found.unusable() == {}
    assert all(e.shipped and e.metadata["model"]["arch"] for e in found.entries())


def test_user_models_follow_the_shipped_ones(tmp_path):
    shutil.copy(DEFAULT_FILE, tmp_path / "mine.safetensors")
    found = Catalogue.scan(user_dir=tmp_path)
    assert list(found.usable())[-1] == "mine"
    assert not found.get("mine").shipped


def test_a_user_model_cannot_hide_a_shipped_one(tmp_path):
    (tmp_path / "mlp.safetensors").write_bytes(b"junk")
    found = Catalogue.scan(user_dir=tmp_path)
    assert found.get("mlp").shipped and found.get("mlp").usable


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m.update(model=None), "metadata"),
        (lambda m: m.update(preprocessing="x"), "'preprocessing' must be an object"),
        (lambda m: m["preprocessing"].update(center="yes"), "true or false"),
        (lambda m: m.update(metrics=[1]), "'metrics' must be an object"),
        (lambda m: m.pop("model"), "metadata"),
    ],
)
def test_broken_metadata_makes_the_model_unusable_not_the_scan(
    tmp_path, change, reason
):
    from window_fixtures import copy_with_metadata

    copy_with_metadata(DEFAULT_FILE, tmp_path / "broken.safetensors", change)
    found = Catalogue.scan(user_dir=tmp_path)
    problem = found.unusable()["broken"]
    assert reason in problem and "broken.safetensors" in problem
    assert "broken" not in found.usable() and DEFAULT_MODEL in found.usable()


def test_mark_unusable_happens_once_and_the_default_moves(tmp_path):
    found = Catalogue.scan(user_dir=tmp_path)
    assert found.default() == DEFAULT_MODEL
    assert found.mark_unusable(DEFAULT_MODEL, "it broke")
    assert not found.mark_unusable(DEFAULT_MODEL, "it broke again")
    assert found.unusable() == {DEFAULT_MODEL: "it broke"}
    assert found.default() not in (None, DEFAULT_MODEL)
    assert not found.mark_unusable("no-such-model", "?")


def test_add_reads_a_new_user_model(tmp_path):
    found = Catalogue.scan(user_dir=tmp_path)
    shutil.copy(DEFAULT_FILE, tmp_path / "new.safetensors")
    entry = found.add(tmp_path / "new.safetensors")
    assert entry.usable and "new" in found.usable()
    assert found.add(tmp_path / "missing.safetensors").problem is not None


def test_user_folder_is_where_qt_puts_app_data(qapp, monkeypatch, tmp_path):
    from PySide6.QtCore import QStandardPaths

    for name, value in PERSON_ENV.items():  # Qt reads the system's, not ours
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    old = qapp.organizationName(), qapp.applicationName()
    qapp.setOrganizationName("mnist-canvas")
    qapp.setApplicationName("mnist-canvas")
    try:
        for xdg in (None, str(tmp_path / "xdg")):
            if xdg is None:
                monkeypatch.delenv("XDG_DATA_HOME", raising=False)
            else:
                monkeypatch.setenv("XDG_DATA_HOME", xdg)
            location = QStandardPaths.StandardLocation.AppDataLocation
            qt = QStandardPaths.writableLocation(location)
            assert str(files.user_data_dir()) == qt
            assert files.user_models_dir() == files.user_data_dir() / "models"
    finally:
        qapp.setOrganizationName(old[0])
        qapp.setApplicationName(old[1])


def test_the_catalogue_imports_no_qt():
    code = (
        "import sys, mnist_canvas.models.catalogue\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide', 'PyQt'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "[]"


def test_tests_never_see_the_persons_data_folder(tmp_path_factory):
    # conftest gives the session its own folder, on every platform
    assert files.user_data_dir().is_relative_to(tmp_path_factory.getbasetemp())


def test_a_model_hidden_by_a_taken_name_is_named_with_why(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    shutil.copy(shipped_weights_dir() / "mlp.safetensors", user / "cnn.safetensors")
    shutil.copy(shipped_weights_dir() / "mlp.safetensors", user / "mine.safetensors")
    catalogue = Catalogue.scan(user_dir=user)
    assert catalogue.get("cnn").shipped  # shipped names win
    why = catalogue.unusable()[str(user / "cnn.safetensors")]
    assert "name cnn is taken by" in why and "Rename it" in why
    assert "mine" in catalogue.usable()


def test_a_models_folder_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    real = os.listdir

    def refuse(path="."):
        if str(path) == str(user):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", refuse)
    why = Catalogue.scan(user_dir=user).unusable()[str(user)]
    assert "cannot be read (Permission denied)" in why


def test_a_folder_scanned_as_both_shipped_and_yours_names_nothing_taken():
    folder = shipped_weights_dir()
    catalogue = Catalogue.scan(shipped_dir=folder, user_dir=folder)
    assert not any("is taken by" in why for why in catalogue.unusable().values())
