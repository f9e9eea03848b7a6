"""The import dialog, the menu action and dropping an .onnx file on the window."""

# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)
import json

import pytest
from onnx_models import wrapped_model
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from window_fixtures import SEVEN, make_window, messages, settle  # noqa: F401

from mnist_canvas.app import import_dialog
from mnist_canvas.app.import_dialog import ImportDialog
from mnist_canvas.models.convention import Convention

KERAS_LIKE = Convention("nhwc", "0-255", "black-on-white")


@pytest.fixture
def dialogs(qtbot):
    made = []

    def make(*args, **kwargs):
        dialog = ImportDialog(*args, **kwargs)
        qtbot.addWidget(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.stop()


def test_the_table_shows_every_candidate_and_the_choice_can_be_overridden(
    qtbot, tmp_path, mnist_dir, dialogs
):
    source = wrapped_model(tmp_path, KERAS_LIKE, "probabilities", dynamic=False)
    folder = tmp_path / "models"
    dialog = dialogs(source, str(mnist_dir), folder, images=200)
    assert not dialog.import_button.isEnabled()  # nothing to import yet
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    assert dialog.table.rowCount() == 8
    assert dialog.table.item(0, 2).text() == "N×28×28×1"
    assert float(dialog.table.item(0, 0).text()) < float(dialog.table.item(1, 0).text())
    assert dialog.chosen() == KERAS_LIKE
    assert "0–255 pixel values, black ink on white" in dialog.words.text()
    dialog.select(3)
    override = dialog.chosen()
    assert override != KERAS_LIKE and override.describe() in dialog.words.text()
    dialog.name.setText("mine")
    with qtbot.waitSignal(dialog.modelImported) as saved:
        dialog.import_button.click()
    assert saved.args == [str(folder / "mine.onnx")]
    sidecar = json.loads((folder / "mine.onnx.json").read_text())
    assert sidecar["convention"] == override.to_dict()


def test_a_bad_file_is_explained_and_cannot_be_imported(qtbot, tmp_path, dialogs):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"no model here")
    dialog = dialogs(bad, None, tmp_path / "models")
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    assert "cannot be imported" in dialog.status.text()
    assert "bad.onnx is not a model this app reads" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert not (tmp_path / "models").exists()


def test_a_name_in_use_is_refused_in_the_dialog(qtbot, tmp_path, dialogs):
    source = wrapped_model(tmp_path, KERAS_LIKE, dynamic=False)
    dialog = dialogs(source, None, tmp_path / "models")
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    imported = []
    dialog.modelImported.connect(imported.append)
    dialog.name.setText("cnn-bn")
    dialog.import_button.click()
    assert "exists already" in dialog.words.text() and not imported
    assert not (tmp_path / "models").exists()


def test_menu_and_drop_import_into_the_model_list(
    qtbot, tmp_path, mnist_dir, make_window, monkeypatch
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    window = make_window()
    assert window.menu_actions.import_model.text() == "&Import Model…"
    opened = []
    monkeypatch.setattr(
        import_dialog, "ImportDialog",
        lambda *a, **k: opened.append(a) or ImportDialog(*a, images=200, **k),
    )  # fmt: skip
    source = wrapped_model(tmp_path, KERAS_LIKE, "probabilities", dynamic=False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    drop = QDropEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    assert window._onnx_drop.eventFilter(window, drop)
    assert opened and opened[0][0] == str(source)
    dialog = window.findChild(ImportDialog)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=600_000)
    dialog.import_button.click()
    dialog.stop()
    assert window.active_model() == source.stem
    assert window.catalogue.get(source.stem).metrics()["mnist_test_accuracy"] > 0.9
    about = window.model_summary()
    assert "imported ONNX model" in about and "0–255 pixel values" in about
    window.canvas.add_stroke(SEVEN)
    settle(qtbot, window)
    assert window.probabilities.digit == 7  # read through its convention


def test_closing_the_dialog_cancels_its_examination(
    qtbot, tmp_path, mnist_dir, dialogs
):
    source = wrapped_model(tmp_path, KERAS_LIKE, "probabilities", dynamic=False)
    dialog = dialogs(source, str(mnist_dir), tmp_path / "models", images=1000)
    dialog.reject()  # as Cancel or Escape do
    qtbot.waitUntil(dialog._thread.isFinished, timeout=600_000)
    assert dialog._examiner.cancelled.is_set()
    assert "cancelled" in dialog.status.text()


def test_a_keras_file_is_converted_and_marked_assumed_without_mnist(
    qtbot, tmp_path, dialogs
):
    from foreign_models import keras, keras_mlp

    keras()

    source = keras_mlp(tmp_path / "theirs.keras")
    dialog = dialogs(source, None, tmp_path / "models")
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    text = dialog.status.text()
    assert "Converted from a Keras file to ONNX" in text
    assert "assumed, not measured" in text
    with qtbot.waitSignal(dialog.modelImported):
        dialog.import_button.click()
    sidecar = json.loads((tmp_path / "models" / "theirs.onnx.json").read_text())
    assert sidecar["format"] == "keras" and sidecar["convention_measured"] is False


def test_a_refused_file_says_what_it_is(qtbot, tmp_path, dialogs):
    from foreign_models import state_dict

    dialog = dialogs(state_dict(tmp_path / "weights.pt"), None, tmp_path / "models")
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    assert "holds only weights (a PyTorch state_dict" in dialog.status.text()
    assert dialog.table.isHidden()
    assert "torch.onnx.export(" in dialog.status.text()
    assert not dialog.import_button.isEnabled()


def test_a_close_call_is_said_in_the_dialog(qtbot, tmp_path, mnist_dir, dialogs):
    flat = Convention("flat", "0-1", "white-on-black")
    source = wrapped_model(tmp_path, flat, "logits", model="mlp")
    dialog = dialogs(source, str(mnist_dir), tmp_path / "models", images=300)
    with qtbot.waitSignal(dialog.examined, timeout=600_000):
        pass
    assert "Close call: " in dialog.status.text()
    ranges = {dialog.table.item(r, 3).text() for r in (0, 1)}
    assert ranges == {"0–1", "MNIST mean/std"}


def test_an_assumed_convention_is_marked_and_measured_later(
    qtbot, tmp_path, mnist_dir, make_window, monkeypatch, capsys
):
    from foreign_models import torchscript

    from mnist_canvas import import_model
    from mnist_canvas.files import user_models_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MNIST_CANVAS_DATA")
    source = torchscript(tmp_path / "grey.pt")
    assert import_model.main([str(source)]) == 0  # no MNIST: assumed
    capsys.readouterr()
    window = make_window()
    window.model_picker.choose("grey")
    assert window.active_model() == "grey"
    assert "Convention assumed, not measured" in window.model_summary()
    assert "TorchScript model, converted to ONNX" in window.model_summary()
    index = window.model_picker.findText("grey")
    font = window.model_picker.itemData(index, Qt.ItemDataRole.FontRole)
    assert font.italic()
    tip = window.model_picker.itemData(index, Qt.ItemDataRole.ToolTipRole)
    assert "convention assumed, not measured" in tip
    window.settings.set_mnist_dir(str(mnist_dir))
    monkeypatch.setattr(
        import_dialog, "ImportDialog",
        lambda *a, **k: ImportDialog(*a, **{**k, "images": 200}),
    )  # fmt: skip
    window.measure_action.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog.name.text() == "grey" and dialog.name.isReadOnly()
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=600_000)
    assert dialog.chosen().layout == "nchw3"
    dialog.import_button.click()
    dialog.stop()
    sidecar = json.loads((user_models_dir() / "grey.onnx.json").read_text())
    assert sidecar["convention_measured"] is True
    assert sidecar["format"] == "torchscript"
    assert sidecar["imported_from"] == str(source)
    assert sidecar["metrics"]["mnist_test_accuracy"] > 0.95
    assert "Convention assumed" not in window.model_summary()
