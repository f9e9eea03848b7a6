"""Training ▸ Download MNIST: torchvision's download, from a local mirror."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mnist_canvas.app.training_dialog import TrainingDialog
from mnist_canvas.data.mnist import MNIST_FILES


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def mirror(mnist_dir):
    """MNIST's .gz files served on 127.0.0.1 (skips without MNIST_CANVAS_DATA)."""
    handler = functools.partial(QuietHandler, directory=str(mnist_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def dialog(qtbot, tmp_path):
    d = TrainingDialog(tmp_path / "models", "")
    qtbot.addWidget(d)
    d.download_dir = tmp_path / "data" / "mnist"
    yield d
    d.stop_training()  # never leave a child process behind
    assert not d.download.is_running()


def test_without_mnist_the_dialog_offers_the_download(dialog, tmp_path):
    assert dialog.download_button.isVisibleTo(dialog)
    assert "Download MNIST" in dialog.status.text()


def test_the_download_fills_the_folder_and_is_remembered(qtbot, dialog, mirror):
    dialog.download.mirrors = [mirror]
    dialog.download.check_md5 = False  # our copies are recompressed: other sums
    progress = []
    dialog.download.progress.connect(lambda done, total: progress.append(done))
    with qtbot.waitSignal(dialog.mnistDirChanged, timeout=600_000) as changed:
        dialog.download_button.click()
    folder = dialog.download_dir
    assert changed.args == [str(folder)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.gz" for name in MNIST_FILES
    )
    assert progress[-1] == 4
    assert dialog.has_mnist() and not dialog.download_button.isVisibleTo(dialog)
    assert [p.name for p in folder.parent.iterdir()] == ["mnist"]  # no staging
    assert dialog.start_button.isEnabled()


def test_files_that_fail_the_md5_check_are_not_kept(qtbot, dialog, mirror):
    dialog.download.mirrors = [mirror]  # our recompressed copies: other MD5 sums
    with qtbot.waitSignal(dialog.download.failed, timeout=600_000) as failed:
        dialog.download_button.click()
    assert "corrupted" in failed.args[0]
    assert not dialog.download_dir.parent.exists() or not any(
        dialog.download_dir.parent.iterdir()
    )


def test_cancelling_the_download_keeps_nothing(qtbot, dialog, mirror):
    dialog.download.mirrors = [mirror]
    dialog.download_button.click()
    with qtbot.waitSignal(dialog.download.failed, timeout=60_000) as failed:
        dialog.download_button.click()  # now "Cancel download"
    assert "cancelled" in failed.args[0]
    assert not dialog.download_dir.parent.exists() or not any(
        dialog.download_dir.parent.iterdir()
    )
    assert dialog.download_button.text() == "Download MNIST…"


def test_an_unreachable_mirror_is_reported_and_nothing_kept(qtbot, dialog):
    dialog.download.mirrors = ["http://127.0.0.1:9/"]  # nothing listens there
    with qtbot.waitSignal(dialog.download.failed, timeout=600_000) as failed:
        dialog.download_button.click()
    assert "could not be downloaded" in failed.args[0]
    assert failed.args[0] in dialog.status.text()
    assert not dialog.download_dir.exists()
    assert not any(dialog.download_dir.parent.glob(".*"))


def test_no_network_at_all_is_said_in_words(qtbot, dialog):
    # A name no resolver knows (the .invalid domain is reserved for this).
    dialog.download.mirrors = ["http://mnist.invalid/"]
    with qtbot.waitSignal(dialog.download.failed, timeout=600_000) as failed:
        dialog.download_button.click()
    assert "cannot reach the internet" in failed.args[0]
    assert not dialog.download_dir.exists()
