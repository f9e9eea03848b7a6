"""Where the project keeps files, and the one way it writes them.

    with atomic_write(path) as tmp:   # a hidden temp file beside `path`
        save_something(tmp)           # any writer that takes a path
    # now `path` is the new file, whole; on an exception it is untouched

Every file the project writes (drawings, pictures, checkpoints, caches,
exports, settings of models) goes through `atomic_write`: a crash, a full disk
or a killed process never leaves half a file where a whole one was.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

APP = "mnist-canvas"

# A part untouched this long was left by a killed writer; a younger one may be
# another process writing the same file now (two trainings filling one cache).
STALE_PART_SECONDS = 3600
_HOST = socket.gethostname()


def _xdg(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / default


def cache_dir() -> Path:
    """Caches that can be rebuilt at any time ($XDG_CACHE_HOME/mnist-canvas)."""
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def user_data_dir() -> Path:
    """The user's own files (models, digits, downloads): where Qt's
    AppDataLocation puts them for this app, computed without Qt, so nothing
    saved by an earlier version is lost."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = _xdg("XDG_DATA_HOME", ".local/share")
    return base / APP / APP


def user_models_dir() -> Path:
    """Models trained, personalised or imported by this user."""
    return user_data_dir() / "models"


def content_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _partial_names(path: Path) -> str:
    return f".{glob.escape(path.name)}.*.part{glob.escape(path.suffix)}"


def part_path(path: Path, pid: int | None = None) -> Path:
    """Where `atomic_write` puts `path`'s temporary part: hidden beside it,
    named after its writer (host and process id) and unique."""
    writer = f"{_HOST}-{os.getpid() if pid is None else pid}"
    return path.with_name(
        f".{path.name}.{writer}-{secrets.token_hex(4)}.part{path.suffix}"
    )


def _writer_gone(part: Path, path: Path) -> bool:
    """Whether the process that writes `part` has ended. Known for a process
    of this host on POSIX only; otherwise the part's age decides."""
    middle = part.name[len(path.name) + 2 : -len(f".part{path.suffix}")]
    writer = middle.rsplit("-", 2)
    if len(writer) != 3 or writer[0] != _HOST or not writer[1].isdigit():
        return False
    pid = int(writer[1])
    if sys.platform == "win32" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether it exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's) or cannot be asked
        return False
    return False


def remove_parts(path: str | os.PathLike, older_than: float = 0.0) -> None:
    """Delete the temporary parts `atomic_write` made for `path` that a writer
    left: those of a process that has ended, and any untouched for
    `older_than` seconds."""
    path = Path(path)
    for part in path.parent.glob(_partial_names(path)):
        try:
            old = time.time() - part.stat().st_mtime >= older_than
            if old or _writer_gone(part, path):
                part.unlink(missing_ok=True)
        except FileNotFoundError:  # its writer renamed or removed it meanwhile
            pass


@contextmanager
def atomic_write(
    path: str | os.PathLike, replace: bool = True, keep_read_only: bool = False
) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` on success.
    `replace=False`: never over a file, even one written meanwhile by another
    process (FileExistsError, and the other file is kept). `keep_read_only`
    (the user's own documents): a file nobody may write is not replaced
    (PermissionError); caches and other rebuildable files are.

    The folder must exist (a save into a folder that is gone should fail, not
    make it); writers of caches create theirs first.

    A link is followed: the file it names is replaced, and the link stays. The
    new file keeps the permissions of the one it replaces; a new one gets the
    usual ones (0666 less the umask), so it reads like any other file the user
    writes. An OSError names `path`, never the hidden temporary file. Parts
    left by an earlier write of the same file that was killed are removed
    first (the part's name holds its writer's host and process id); a part of
    a process still running, or of another host, younger than
    STALE_PART_SECONDS is left to it.
    """
    path = Path(os.path.realpath(path))
    try:
        old_mode = path.stat().st_mode
    except OSError:
        old_mode = None
    if keep_read_only and old_mode is not None and not old_mode & 0o222:
        raise PermissionError(13, "the file is read-only, so it was not replaced",
                              str(path))  # fmt: skip
    remove_parts(path, older_than=STALE_PART_SECONDS)
    tmp = part_path(path)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        mode = old_mode if old_mode is not None else tmp.stat().st_mode
        try:
            yield tmp
            os.chmod(tmp, mode)  # some writers (safetensors) replace the file 0600
            if replace:
                os.replace(tmp, path)
            else:
                _rename_new(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as error:
        if error.filename not in (str(tmp), tmp):
            raise
        raise type(error)(error.errno, error.strerror, str(path)) from None


def _rename_new(tmp: Path, path: Path) -> None:
    """Rename `tmp` to `path` unless a file has that name: FileExistsError."""
    try:
        os.link(tmp, path)  # atomic, and fails if the name is taken
        return
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        pass
    if path.exists():
        raise FileExistsError(17, "File exists", str(path))
    os.replace(tmp, path)  # a file made between these two lines is the risk


def write_text(
    path: str | os.PathLike, text: str, keep_read_only: bool = False
) -> None:
    """Write a text file atomically (UTF-8); see `atomic_write`."""
    with atomic_write(path, keep_read_only=keep_read_only) as tmp:
        tmp.write_text(text, encoding="utf-8")


def parse_json(text: str, what: str) -> object:
    """json.loads whose every failure (deep nesting included) is a ValueError."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:  # ValueError: 5,000-digit ints
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        if "int_max_str_digits" in str(reason):
            reason = "a number in it has thousands of digits"
        raise ValueError(f"{what}: {reason}") from None


def file_stamp(path: str | os.PathLike) -> tuple:
    """What changes when a file is written or replaced (a rename over it
    included); () when there is no file."""
    try:
        stat = Path(path).stat()
    except OSError:
        return ()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)
