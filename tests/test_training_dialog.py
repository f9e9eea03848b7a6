"""Retraining from the app: a real child process, tiny runs."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from mnist_canvas.app import main_window
from mnist_canvas.app.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(main_window, "user_models_dir", lambda: tmp_path / "models")
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: None))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.training is not None:
        w.training.run.wait_stopped()  # never leave a training process behind
        assert not w.training.run.is_running()
    w.predictor.stop()


def tiny(dialog, data_dir, epochs=1, size=300):
    dialog.arch.setCurrentText("mlp")
    dialog.epochs.setValue(epochs)
    dialog.size.setValue(size)
    dialog.data_dir.setText(str(data_dir))
    for box in dialog.augment.values():
        box.setChecked(False)


def test_arguments_follow_the_knobs(window):
    dialog = window.open_training()
    dialog.apply_preset("Overfitting demo (1 k images, no dropout, no augmentation)")
    args = dialog.arguments()
    assert args[args.index("--train-size") + 1] == "1000"
    assert args[args.index("--dropout") + 1] == "off"
    assert args[args.index("--augment") + 1] == "none"
    assert args[args.index("--patience") + 1] == "0"
    dialog.imbalance.setChecked(True)
    dialog.imbalance_digit.setValue(7)
    dialog.imbalance_kept.setValue(5)
    assert dialog.arguments()[-4:-2] == ["--imbalance", "7:0.05"]
    assert not dialog.output_path().exists()


def test_a_tiny_run_saves_a_model_that_appears_in_the_picker(qtbot, window, mnist_dir):
    dialog = window.open_training()
    tiny(dialog, mnist_dir)
    progress = []
    dialog.run.progress.connect(progress.append)
    with qtbot.waitSignal(dialog.run.succeeded, timeout=120000) as saved:
        dialog.start_button.click()
    path = saved.args[0]
    assert any(p.get("phase") == "step" for p in progress)
    assert any(p.get("phase") == "epoch" for p in progress)
    stem = path.rsplit("/", 1)[-1].removesuffix(".safetensors")
    assert window.model_picker.findText(stem) >= 0
    assert (
        "MNIST test" in dialog.status.text()
        and "Current (cnn-bn)" in dialog.status.text()
    )
    dialog.use_button.click()
    assert window.active_model() == stem


def test_cancel_leaves_no_file(qtbot, window, mnist_dir, tmp_path):
    dialog = window.open_training()
    tiny(dialog, mnist_dir, epochs=50, size=20000)
    with qtbot.waitSignal(dialog.run.progress, timeout=120000):
        dialog.start_button.click()
    with qtbot.waitSignal(dialog.run.failed, timeout=5000) as failed:
        dialog.cancel_button.click()
    assert "cancelled" in failed.args[0]
    assert not dialog.run.is_running()
    assert list((tmp_path / "models").glob("*")) == []
    assert dialog.start_button.isEnabled()


def test_a_bad_data_folder_shows_its_error(qtbot, window, tmp_path):
    dialog = window.open_training()
    tiny(dialog, tmp_path / "no-mnist-here")
    with qtbot.waitSignal(dialog.run.failed, timeout=60000) as failed:
        dialog.start_button.click()
    assert "no-mnist-here" in failed.args[0]
    assert "no-mnist-here" in dialog.status.text()
    assert list((tmp_path / "models").glob("*.safetensors")) == []


def test_a_killed_training_process_is_reported(qtbot, window, mnist_dir, tmp_path):
    dialog = window.open_training()
    tiny(dialog, mnist_dir, epochs=50, size=20000)
    with qtbot.waitSignal(dialog.run.progress, timeout=120000):
        dialog.start_button.click()
    with qtbot.waitSignal(dialog.run.failed, timeout=10000) as failed:
        dialog.run.process.kill()  # as if it crashed or was killed from outside
    assert "stopped unexpectedly" in failed.args[0]
    assert list((tmp_path / "models").glob("*")) == []
    window.canvas.add_stroke([(150, 50), (140, 230)])  # the app still works
    serial = window.request_prediction()
    qtbot.waitUntil(lambda: window.probabilities.serial >= serial)
    assert window.probabilities.digit == 1


def test_closing_mid_training_stops_the_process(qtbot, window, mnist_dir, monkeypatch):
    dialog = window.open_training()
    tiny(dialog, mnist_dir, epochs=50, size=20000)
    with qtbot.waitSignal(dialog.run.progress, timeout=120000):
        dialog.start_button.click()
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes),
    )
    assert window.close()
    assert not dialog.run.is_running()
