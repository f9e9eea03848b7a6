"""Retraining from the app: a real child process, tiny runs."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from window_fixtures import settle

from mnist_canvas.app import main_window
from mnist_canvas.app.features import stop_all
from mnist_canvas.app.main_window import MainWindow
from mnist_canvas.files import part_path
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.training.fit import Progress, TrainConfig


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
        w.training.stop_training()  # never leave a training process behind
        assert not w.training.is_training()
    w.predictor.stop()
    stop_all(w.views)


def tiny(dialog, data_dir, epochs=1, size=300):
    form = dialog.form
    form.arch.setCurrentText("mlp")
    form.epochs.setValue(epochs)
    form.size.setValue(size)
    dialog.data_dir.setText(str(data_dir))
    for box in form.augment.values():
        box.setChecked(False)


def test_the_config_follows_the_knobs(window):
    dialog = window.open_training()
    form = dialog.form
    form.apply_preset("Overfitting demo (1 k images, no dropout, no augmentation)")
    config = form.config()
    assert isinstance(config, TrainConfig)
    assert (config.train_size, config.model.arch, config.model.dropout) == (
        1000, "cnn", False
    )  # fmt: skip
    assert config.augment == () and config.patience is None
    form.imbalance.setChecked(True)
    form.imbalance_digit.setValue(7)
    form.imbalance_kept.setValue(5)
    form.early.setChecked(True)
    config = form.config()
    assert config.imbalance == (7, 0.05) and config.patience == form.patience.value()
    assert TrainConfig.from_json(config.to_json()) == config
    assert not dialog.output_path().exists()


def test_changing_the_mnist_folder_is_announced_and_remembered(qtbot, window):
    dialog = window.open_training()
    dialog.data_dir.setText("/some/where/mnist")
    with qtbot.waitSignal(dialog.mnistDirChanged) as changed:
        dialog.data_dir.editingFinished.emit()
    assert changed.args == ["/some/where/mnist"]
    assert window.settings.mnist_dir() == "/some/where/mnist"


def test_a_tiny_run_saves_a_model_that_appears_in_the_picker(qtbot, window, mnist_dir):
    dialog = window.open_training()
    tiny(dialog, mnist_dir)
    progress = []
    dialog.run.progress.connect(progress.append)
    with qtbot.waitSignal(dialog.run.succeeded, timeout=600_000) as saved:
        dialog.start_button.click()
    path = saved.args[0]
    assert {p.phase for p in progress} == {"step", "epoch"}
    assert all(isinstance(p, Progress) for p in progress)
    xs, ys = dialog.curves.data("validation accuracy")
    assert len(xs) == 1 and ys[0] == progress[-1].val_accuracy
    stem = path.rsplit("/", 1)[-1].removesuffix(".safetensors")
    assert window.model_picker.findText(stem) >= 0
    assert (
        "MNIST test" in dialog.status.text()
        and f"Current ({DEFAULT_MODEL})" in dialog.status.text()
    )
    dialog.use_button.click()
    assert window.active_model() == stem


def long_run_started(qtbot, window, mnist_dir):
    """The dialog, once a run too long to finish by itself has begun."""
    dialog = window.open_training()
    tiny(dialog, mnist_dir, epochs=50, size=20000)
    with qtbot.waitSignal(dialog.run.progress, timeout=600_000):
        dialog.start_button.click()
    return dialog


def test_cancel_leaves_no_file(qtbot, window, mnist_dir, tmp_path):
    dialog = long_run_started(qtbot, window, mnist_dir)
    with qtbot.waitSignal(dialog.run.failed, timeout=60_000) as failed:
        dialog.cancel_button.click()
    assert "cancelled" in failed.args[0]
    assert not dialog.is_training()
    assert list((tmp_path / "models").glob("*")) == []
    assert dialog.start_button.isEnabled()


def test_a_bad_data_folder_shows_its_error(qtbot, window, tmp_path):
    dialog = window.open_training()
    tiny(dialog, tmp_path / "no-mnist-here")
    with qtbot.waitSignal(dialog.run.failed, timeout=600_000) as failed:
        dialog.start_button.click()
    assert "no-mnist-here" in failed.args[0]
    assert "no-mnist-here" in dialog.status.text()
    assert list((tmp_path / "models").glob("*.safetensors")) == []


def test_a_killed_training_process_is_reported(qtbot, window, mnist_dir, tmp_path):
    dialog = long_run_started(qtbot, window, mnist_dir)
    out = dialog.run.out  # what a child killed while saving would leave:
    part_path(out, dialog.run.process.processId()).write_bytes(b"half")
    with qtbot.waitSignal(dialog.run.failed, timeout=60_000) as failed:
        dialog.run.process.kill()  # as if it crashed or was killed from outside
    assert "stopped unexpectedly" in failed.args[0]
    assert list((tmp_path / "models").glob("*")) == []
    window.canvas.add_stroke([(150, 50), (140, 230)])  # the app still works
    settle(qtbot, window)
    assert window.probabilities.digit == 1


def test_closing_mid_training_stops_the_process(qtbot, window, mnist_dir, monkeypatch):
    dialog = long_run_started(qtbot, window, mnist_dir)
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes),
    )
    assert window.close()
    assert not dialog.is_training()


def test_a_training_whose_folder_cannot_be_made_fails_with_a_message(qtbot, tmp_path):
    from mnist_canvas.app.training_run import TrainingRun

    (tmp_path / "models").write_text("a file where the folder should be")
    run = TrainingRun()
    with qtbot.waitSignal(run.failed, timeout=5000) as failed:
        run.launch(["-c", "pass"], tmp_path / "models" / "mine.safetensors")
    assert "cannot be made" in failed.args[0] and not run.is_running()
    assert (tmp_path / "models").read_text() == "a file where the folder should be"


def test_a_cancels_late_kill_never_kills_the_next_run(qtbot, tmp_path):
    from mnist_canvas.app.training_run import KILL_AFTER_MS, TrainingRun

    run = TrainingRun()
    sleep = ["-c", "import time; time.sleep(30)"]
    run.launch(sleep, tmp_path / "a.safetensors")
    qtbot.waitUntil(run.is_running)
    with qtbot.waitSignal(run.failed, timeout=10_000):
        run.cancel()
    run.launch(sleep, tmp_path / "b.safetensors")  # started again at once
    qtbot.waitUntil(run.is_running)
    qtbot.wait(KILL_AFTER_MS + 700)
    assert run.is_running()  # once killed by the first cancel's timer
    with qtbot.waitSignal(run.failed, timeout=10_000) as failed:
        run.cancel()
    assert "cancelled" in failed.args[0]


def test_closing_the_dialog_leaves_the_training_running_and_says_so(
    qtbot, window, mnist_dir
):
    dialog = long_run_started(qtbot, window, mnist_dir)
    dialog.close()  # the Close button, as Esc
    assert not dialog.isVisible() and dialog.is_training()
    assert "goes on in the background" in window.statusBar().currentMessage()
    reopened = window.open_training()
    assert reopened is dialog and dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.run.failed, timeout=60_000):
        dialog.cancel_button.click()
