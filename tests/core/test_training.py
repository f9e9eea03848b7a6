import pytest
import torch
from torch import nn
from training_data import small_config, synthetic

from mnist_canvas.training.fit import TrainConfig, fit, moving_average


def test_one_epoch_yields_progress_and_lowers_the_loss():
    progress = list(fit(small_config(), synthetic()))
    steps = [p for p in progress if p.phase == "step"]
    assert len(steps) >= 5
    assert steps[-1].train_loss < steps[0].train_loss
    assert [p.phase for p in progress[-2:]] == ["epoch", "done"]
    done = progress[-1]
    assert done.model is not None and done.val_accuracy > 0.5
    assert all(p.elapsed >= 0 for p in progress)


def test_stopping_between_yields_stops_the_run():
    run = fit(small_config(epochs=50), synthetic())
    first = next(run)
    second = next(run)
    run.close()  # the consumer stops asking: the generator finishes here
    assert second.step > first.step
    assert list(run) == []


def test_augmentation_and_imbalance_and_train_size_are_honoured():
    data = synthetic()
    config = small_config(train_size=120, imbalance=(3, 0.0), augment=("rotate",))
    from mnist_canvas.training.fit import training_split

    train, _ = training_split(config, data)
    assert len(train) == 120 and not (train.labels == 3).any()
    assert list(fit(config, data))[-1].phase == "done"


def test_progress_is_json_ready():
    import json

    progress = next(fit(small_config(), synthetic()))
    assert json.loads(json.dumps(progress.to_json()))["phase"] == "step"


def test_pen_digits_join_the_training_set(tmp_path, monkeypatch):
    import gzip
    import json

    from mnist_canvas.training.fit import training_split

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "pen.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for w in range(20):
            record = {"label": 1, "writer": f"w{w}", "strokes": [[[0, 0], [1, 30]]]}
            f.write(json.dumps(record) + "\n")
    data = synthetic()
    plain, _ = training_split(small_config(), data)
    mixed, val = training_split(small_config(pen_train=str(path), pen_variants=2), data)
    added = len(mixed) - len(plain)
    assert 0 < added < 40 and added % 2 == 0
    assert (mixed.labels[len(plain) :] == 1).all()
    assert len(val) == 100  # validation stays MNIST's


def test_moving_average_follows_the_weights_with_a_warm_up():
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.BatchNorm1d(1))
    ema = moving_average(model, decay=0.9)
    expected = None
    for n, value in enumerate([1.0, 3.0, 5.0, 7.0, 9.0] + [2.0] * 40):
        with torch.no_grad():
            model[0].weight.fill_(value)
            model[1].running_mean.fill_(-value)
        ema.update_parameters(model)
        d = min(0.9, (1 + n) / (10 + n))  # decay after n earlier updates
        expected = value if expected is None else d * expected + (1 - d) * value
        assert ema.module[0].weight.item() == pytest.approx(expected)
        assert ema.module[1].running_mean.item() == pytest.approx(-expected)
        if n == 4:  # lags behind the newest weights, ahead of the plain mean
            assert 5.0 < ema.module[0].weight.item() < 9.0


def test_training_with_a_moving_average_keeps_a_working_model():
    done = list(fit(small_config(ema=0.99), synthetic()))[-1]
    assert done.phase == "done" and done.val_accuracy > 0.5


def test_a_decay_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="ema must be"):
        TrainConfig(ema=1.5)


def test_done_reports_the_validation_of_the_kept_model(monkeypatch):
    import mnist_canvas.training.fit as training

    scores = iter([(0.2, 0.9), (0.7, 0.6)])  # epoch 2 validates worse
    monkeypatch.setattr(training, "evaluate", lambda model, split, **_: next(scores))
    done = list(fit(small_config(epochs=2), synthetic()))[-1]
    assert done.phase == "done" and done.epoch == 2
    assert (done.val_loss, done.val_accuracy) == (0.2, 0.9)


def test_a_config_asking_absurd_threads_is_refused():
    from mnist_canvas.training.config import TrainConfig

    with pytest.raises(ValueError, match="threads must be at most 256"):
        TrainConfig.from_json('{"threads": 100000}')  # once a hang
