"""The one way files are written (`files.atomic_write`): whole or not at all,
through links, never over a read-only file, and errors that name the file."""

import os
import stat

import pytest

from mnist_canvas.files import atomic_write, write_text


def test_a_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "synced" / "my.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "my.jsonl"
    link.symlink_to(real)
    write_text(link, "new\n")
    assert link.is_symlink()  # once replaced by a plain copy: the real file
    assert real.read_text() == "new\n"  # stopped getting updates


def test_the_replaced_files_permissions_are_kept(tmp_path):
    path = tmp_path / "private.json"
    path.write_text("old")
    path.chmod(0o600)
    write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "new"


def test_a_read_only_document_is_not_replaced_but_a_cache_is(tmp_path):
    path = tmp_path / "keep.json"
    path.write_text("mine")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only") as raised:
        write_text(path, "theirs", keep_read_only=True)  # the user's documents
    assert raised.value.filename == str(path)
    assert path.read_text() == "mine" and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert os.listdir(tmp_path) == ["keep.json"]  # no part left beside it
    write_text(path, "rebuilt")  # a cache restored read-only is still rebuilt
    assert path.read_text() == "rebuilt"


def test_without_hard_links_a_new_file_is_still_written_and_never_replaces(
    tmp_path, monkeypatch
):
    def no_links(*args):  # FAT, some network shares
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "m.safetensors"
    with atomic_write(path, replace=False) as tmp:
        tmp.write_bytes(b"hours of training")  # once lost with EPERM
    assert path.read_bytes() == b"hours of training"
    with pytest.raises(FileExistsError):
        with atomic_write(path, replace=False) as tmp:
            tmp.write_bytes(b"another")
    assert path.read_bytes() == b"hours of training"
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_a_failed_write_names_the_file_not_its_hidden_part(tmp_path):
    path = tmp_path / "d.json"
    with pytest.raises(OSError, match="No space") as raised:
        with atomic_write(path) as tmp:
            raise OSError(28, "No space left on device", str(tmp))
    assert raised.value.filename == str(path) and raised.value.errno == 28
    assert not path.exists() and os.listdir(tmp_path) == []


def test_a_write_that_must_not_replace_keeps_a_file_made_meanwhile(tmp_path):
    path = tmp_path / "m.safetensors"
    with pytest.raises(FileExistsError) as raised:
        with atomic_write(path, replace=False) as tmp:
            tmp.write_bytes(b"ours")
            path.write_bytes(b"theirs, written meanwhile")
    assert raised.value.filename == str(path)
    assert path.read_bytes() == b"theirs, written meanwhile"
    assert os.listdir(tmp_path) == ["m.safetensors"]
    with atomic_write(tmp_path / "new.bin", replace=False) as tmp:
        tmp.write_bytes(b"ours")
    assert (tmp_path / "new.bin").read_bytes() == b"ours"
