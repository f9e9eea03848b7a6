"""Pen-drawn digits as training images, made by the app's own pipeline.

    train, held_out = pen_digit_splits("pen-digits/unipen1a-dev.jsonl.gz")

Each digit is drawn on the default canvas at random sizes, positions and
brushes (the way people draw in the app), preprocessed exactly as the app does,
and kept as a 28×28 uint8 image in MNIST's format. Writers are split, not
digits: a writer's digits are all in training or all held out, so the held-out
accuracy says how the model does on people it has never seen.
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import numpy as np
import torch

from ..data.mnist import Split
from ..data.strokes import read_strokes
from ..files import atomic_write, cache_dir
from ..ink.placement import place
from ..pipeline.preprocess import preprocess
from ..pipeline.steps import switches

BRUSHES = (4.0, 30.0)  # brush widths drawn from this range, px
FORMAT = 3  # bump when the rendering changes, to refresh caches
HELD_OUT = 0.2  # the fraction of writers kept out of training


def is_held_out(writer: str, fraction: float = HELD_OUT) -> bool:
    """Is this writer among those `pen_digit_splits` keeps out of training?"""
    digest = hashlib.sha256(writer.encode()).digest()
    return digest[0] / 256 < fraction


def image_steps(pen: bool = True) -> dict[str, bool]:
    """MNIST's format: every step up to centring, no scaling (uint8 0–255)."""
    return {**switches(["scale", "normalize"]), "pen": pen}


def render_records(records, variants: int, seed: int, steps: dict) -> tuple:
    """(images, labels): each record drawn `variants` times at random sizes,
    places and brushes, preprocessed with `steps`; empty drawings dropped."""
    rng = random.Random(seed)
    images, labels = [], []
    for record in records:
        for _ in range(variants):
            brush = rng.uniform(*BRUSHES)
            result = preprocess(place(record, "random", rng, brush), steps)
            if result.is_empty:
                continue
            images.append(np.clip(result.input, 0, 255).round().astype(np.uint8))
            labels.append(record.label)
    if not images:
        return torch.zeros(0, 28, 28, dtype=torch.uint8), torch.zeros(
            0, dtype=torch.long
        )
    return torch.from_numpy(np.stack(images)), torch.tensor(labels)


def pen_digit_splits(
    path: str | os.PathLike,
    variants: int = 3,
    held_out: float = HELD_OUT,
    seed: int = 0,
    pen: bool = True,
) -> tuple[Split, Split]:
    """(training, held-out writers) images of a stroke file, cached on disk."""
    path = Path(path)
    steps = image_steps(pen)
    stat = path.stat()
    key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{variants}:{held_out}:"
    key += f"{seed}:{sorted(steps.items())}:{FORMAT}"
    cache = cache_dir() / "pen" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"
    if cache.is_file():
        saved = torch.load(cache, weights_only=True)
        return Split(*saved["train"]), Split(*saved["held_out"])
    records = list(read_strokes(path))
    train_records = [r for r in records if not is_held_out(r.writer or "", held_out)]
    held_records = [r for r in records if is_held_out(r.writer or "", held_out)]
    train = render_records(train_records, variants, seed, steps)
    held = render_records(held_records, 1, seed + 1, steps)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(cache) as tmp:
        torch.save({"train": train, "held_out": held}, tmp)
    return Split(*train), Split(*held)
