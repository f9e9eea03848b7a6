"""The one list of models the app offers: shipped and trained by the user.

    catalogue = Catalogue.scan()
    catalogue.usable()        # {name: path}, the default first
    catalogue.unusable()      # {name: reason}
    catalogue.mark_unusable("mlp", "its weights do not fit")  # True the first time

Each file is read once, its metadata checked for what the app uses; anything a
file makes the reader raise becomes that model's reason, never a crash. The
picker, the compare view, the predictor and About all read this one list.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..files import user_models_dir
from .checkpoint_file import SUFFIX, read_metadata
from .classifier import shipped_weights_dir
from .imported import convention_assumed, read_sidecar
from .registry import DEFAULT_MODEL, REGISTRY


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    shipped: bool
    metadata: Mapping | None = None  # None when the file cannot be used
    problem: str | None = None

    @property
    def usable(self) -> bool:
        return self.problem is None

    @property
    def description(self) -> str | None:
        """One line on what the model shows, if its metadata has one."""
        text = (self.metadata or {}).get("description")
        return text if isinstance(text, str) and text else None

    @property
    def convention_assumed(self) -> bool:
        """An imported model whose input convention was assumed, not measured
        (imported without MNIST)."""
        return convention_assumed(self.metadata)

    def metrics(self) -> dict:
        metrics = (self.metadata or {}).get("metrics")
        return dict(metrics) if isinstance(metrics, Mapping) else {}


def read_entry(path: Path, shipped: bool) -> ModelEntry:
    """One file → an entry, usable or with the reason it is not."""
    try:
        metadata = read_sidecar(path) if path.suffix == ".onnx" else read_metadata(path)
    except Exception as error:  # a file can hold anything: it is a reason
        text = str(error)
        if str(path) not in text:
            text = f"{path}: its metadata is not usable ({text})"
        return ModelEntry(path.stem, path, shipped, None, text)
    return ModelEntry(path.stem, path, shipped, metadata)


def _shipped_files(folder: Path) -> list[Path]:
    """Checkpoints and ONNX models (with their sidecars), ours first."""
    order = {n: i for i, n in enumerate(dict.fromkeys([DEFAULT_MODEL, *REGISTRY]))}
    files = sorted([*folder.glob(f"*{SUFFIX}"), *folder.glob("*.onnx")])
    return sorted(files, key=lambda p: (order.get(p.stem, len(order)), p.stem))


class Catalogue:
    """Models by name, in the order offered; safe to read from any thread."""

    def __init__(self, entries: list[ModelEntry] = (), notes: dict[str, str] = ()):
        self._lock = threading.Lock()
        self._entries: dict[str, ModelEntry] = {}
        # Model files not offered, by path: why (a name taken, a folder unread).
        self._notes: dict[str, str] = dict(notes)
        for entry in entries:
            taken = self._entries.setdefault(entry.name, entry)  # shipped names win
            if taken is not entry and taken.path != entry.path:
                self._notes[str(entry.path)] = (
                    f"{entry.path} is not offered: the name {entry.name} is "
                    f"taken by {taken.path}. Rename it to offer it."
                )

    @classmethod
    def scan(cls, shipped_dir: Path | None = None, user_dir: Path | None = None):
        shipped_dir = shipped_weights_dir() if shipped_dir is None else shipped_dir
        user_dir = Path(user_models_dir() if user_dir is None else user_dir)
        entries = [read_entry(p, True) for p in _shipped_files(Path(shipped_dir))]
        notes = {}
        try:  # glob alone says nothing of a folder it cannot read
            if user_dir.exists():
                os.listdir(user_dir)
        except OSError as error:
            notes[str(user_dir)] = (
                f"Your models folder {user_dir} cannot be read "
                f"({error.strerror or error}): your own models are not offered."
            )
        entries += [read_entry(p, False) for p in sorted(user_dir.glob(f"*{SUFFIX}"))]
        entries += [read_entry(p, False) for p in sorted(user_dir.glob("*.onnx"))]
        return cls(entries, notes)

    def entries(self) -> list[ModelEntry]:
        with self._lock:
            return list(self._entries.values())

    def get(self, name: str) -> ModelEntry | None:
        with self._lock:
            return self._entries.get(name)

    def usable(self) -> dict[str, Path]:
        return {e.name: e.path for e in self.entries() if e.usable}

    def unusable(self) -> dict[str, str]:
        """Why each model file cannot be used: by name, and by path for files
        not offered at all (a name taken by another, a folder unread)."""
        with self._lock:
            notes = dict(self._notes)
        return {e.name: e.problem for e in self.entries() if not e.usable} | notes

    def default(self) -> str | None:
        """The model to select when nothing else is asked for."""
        usable = self.usable()
        return DEFAULT_MODEL if DEFAULT_MODEL in usable else next(iter(usable), None)

    def mark_unusable(self, name: str, reason: str) -> bool:
        """Record why a model failed; True only the first time."""
        with self._lock:
            entry = self._entries.get(name)
            if entry is None or not entry.usable:
                return False
            self._entries[name] = replace(entry, problem=reason)
            return True

    def add(self, path: str | os.PathLike) -> ModelEntry:
        """A newly written user model (replacing an entry of the same name)."""
        entry = read_entry(Path(path), shipped=False)
        with self._lock:
            old = self._entries.get(entry.name)
            if old is not None and old.shipped:
                return old  # shipped weights are never replaced
            self._entries[entry.name] = entry
        return entry
