"""Pen-drawn digits as training images, made by the app's own pipeline.

    train, held_out = pen_digit_splits("pen-digits/unipen1a-dev.jsonl.gz")

Each digit is drawn on the default canvas at random sizes, positions and
brushes (the way people draw in the app), preprocessed exactly as the app does,
and kept as a 28×28 uint8 image in MNIST's format. People are split, not
digits: a person's digits are all in training or all held out (one
writer-level fold, `data.strokes.writer_fold`), so the held-out accuracy says
how the model does on people it has never seen; `fold=None` trains on everyone.

With `warp` (a strength above 0), each training variant is first changed in
stroke space, where pen data lives: the whole digit slanted, rotated and
stretched, each stroke moved a little against the others, and every point
wobbled along a smooth random curve.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import math
import os
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from ..data.mnist import Split
from ..data.strokes import FOLDS, read_strokes, writer_fold
from ..files import atomic_write, cache_dir, content_hash
from ..ink.placement import place
from ..pipeline.preprocess import preprocess
from ..pipeline.steps import switches

BRUSHES = (4.0, 30.0)  # brush widths drawn from this range, px
# The modules whose code makes the images: the cache is keyed on their source,
# so a change to any of them renders afresh instead of reusing stale images.
RENDERING = (
    __name__, "mnist_canvas.data.strokes", "mnist_canvas.ink.drawing",
    "mnist_canvas.ink.placement", "mnist_canvas.ink.raster",
    "mnist_canvas.pipeline.preprocess", "mnist_canvas.pipeline.steps",
)  # fmt: skip
HELD_OUT_FOLD = 0  # the fold of people training keeps out unless told otherwise
# Stroke-space warp strengths, relative to the digit's height where lengths.
ROTATE_DEG = 8.0
SLANT = 0.25  # x moves by this times y (both from the digit's centre)
ASPECT = 1.2  # width stretched or squeezed by up to this factor
STROKE_SHIFT = 0.04  # each stroke moved by up to this, against the others
WOBBLE = 0.02  # points move along a smooth curve of up to this amplitude


def is_held_out(writer: str | None, fold: int = HELD_OUT_FOLD, folds=FOLDS) -> bool:
    """Is this writer's person in the fold `pen_digit_splits` keeps out?"""
    return writer_fold(writer, folds) == fold


def never_trained_on(writer: str | None, training: dict) -> bool:
    """Did the model whose metadata has this "training" section never see
    this writer's pen digits? (Files from before writer folds held out fold 0
    of the writer ids as written, which split ibm's people by session.)"""
    if not training.get("pen_train"):
        return True
    if "pen_fold" not in training:
        return writer_fold(writer, FOLDS, by_person=False) == HELD_OUT_FOLD
    fold = training["pen_fold"]
    return fold is not None and is_held_out(writer, fold, training["pen_folds"])


def warp(record, rng: random.Random, strength: float = 1.0):
    """A copy of a stroke record changed in stroke space (module doc); every
    change's limit is multiplied by `strength`."""
    points = [p for s in record.strokes for p in s]
    if not points:
        return record
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    size = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    k = strength
    angle = math.radians(rng.uniform(-1, 1) * ROTATE_DEG * k)
    cos, sin = math.cos(angle), math.sin(angle)
    slant = rng.uniform(-1, 1) * SLANT * k
    aspect = math.exp(rng.uniform(-1, 1) * math.log(ASPECT) * k)
    # A smooth wobble: one random low-frequency wave per axis over the digit.
    waves = [(rng.uniform(-1, 1) * WOBBLE * k * size, rng.uniform(1, 3),
              rng.uniform(0, 2 * math.pi)) for _ in range(4)]  # fmt: skip

    def moved(x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
        u, v = (x - cx) / size, (y - cy) / size
        x = x + waves[0][0] * math.sin(waves[0][1] * math.pi * v + waves[0][2])
        x += waves[1][0] * math.sin(waves[1][1] * math.pi * u + waves[1][2])
        y = y + waves[2][0] * math.sin(waves[2][1] * math.pi * u + waves[2][2])
        y += waves[3][0] * math.sin(waves[3][1] * math.pi * v + waves[3][2])
        x, y = (x - cx + slant * (y - cy)) * aspect, y - cy
        return cx + cos * x - sin * y + dx, cy + sin * x + cos * y + dy

    strokes = []
    for stroke in record.strokes:
        dx, dy = (rng.uniform(-1, 1) * STROKE_SHIFT * k * size for _ in "xy")
        strokes.append(tuple(moved(x, y, dx, dy) for x, y in stroke))
    return replace(record, strokes=tuple(strokes), drawing=None)


def image_steps(pen: bool = True) -> dict[str, bool]:
    """MNIST's format: every step up to centring, no scaling (uint8 0–255)."""
    return {**switches(["scale", "normalize"]), "pen": pen}


def _line(a, b, n: int) -> tuple:
    return tuple((a[0] + (b[0] - a[0]) * i / (n - 1),
                  a[1] + (b[1] - a[1]) * i / (n - 1)) for i in range(n))  # fmt: skip


def restyle(record, rng: random.Random):
    """A one-stroke 0 crossed by a bar, or a plain one-stroke 1 given a flag at
    its top, as many people in Europe write them; other records unchanged.
    The bar runs through the 0's middle at any angle from level (θ) through a
    slash (ø) to upright (φ), past the ring at both ends."""
    if record.label not in (0, 1) or len(record.strokes) != 1:
        return record
    stroke = record.strokes[0]
    xs, ys = [p[0] for p in stroke], [p[1] for p in stroke]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    width, height = right - left, bottom - top
    if height <= 0 or len(stroke) < 2:
        return record
    if record.label == 0:
        angle = math.radians(rng.uniform(-10, 100))  # 0: level; y grows down
        dx, dy = math.cos(angle), -math.sin(angle)
        reach = min(
            width / 2 / abs(dx) if abs(dx) > 1e-6 else math.inf,
            height / 2 / abs(dy) if abs(dy) > 1e-6 else math.inf,
        ) * (1 + rng.uniform(0.25, 0.6))  # fmt: skip
        cx = (left + right) / 2 + rng.uniform(-0.1, 0.1) * width
        cy = (top + bottom) / 2 + rng.uniform(-0.1, 0.1) * height
        slash = _line(
            (cx - reach * dx, cy - reach * dy), (cx + reach * dx, cy + reach * dy), 10
        )
        strokes = (stroke, slash) if rng.random() < 0.5 else (slash, stroke)
    else:
        (ax, ay), (bx, by) = stroke[0], stroke[-1]
        span = math.hypot(bx - ax, by - ay)
        if (
            span < 0.8 * height
            or max(abs((bx - ax) * (y - ay) - (by - ay) * (x - ax)) for x, y in stroke)
            > 0.12 * span * span
        ):
            return record  # not one straight line: it has a flag or foot already
        down = stroke[0][1] <= stroke[-1][1]  # drawn from the top down
        tip = stroke[0] if down else stroke[-1]
        if tip[1] > top + 0.1 * height:
            return record  # the stroke turns back: no clean top to flag
        length = rng.uniform(0.2, 0.45) * height
        angle = math.radians(rng.uniform(25, 60))
        start = (tip[0] - length * math.cos(angle), tip[1] + length * math.sin(angle))
        flag = _line(start, tip, 6)
        strokes = ((*flag, *stroke[1:]),) if down else ((*stroke[:-1], *flag[::-1]),)
    return replace(record, strokes=strokes, drawing=None)


def render_records(
    records, variants: int, seed: int, steps: dict, warped: float = 0.0,
    styles: float = 0.0,
) -> tuple:  # fmt: skip
    """(images, labels): each record drawn `variants` times at random sizes,
    places and brushes (each `warp`ed first with strength `warped`, when above
    0; this share of its 0s and 1s `restyle`d), preprocessed with `steps`;
    empty drawings dropped."""
    rng = random.Random(seed)
    images, labels = [], []
    for record in records:
        for _ in range(variants):
            brush = rng.uniform(*BRUSHES)
            drawn = record
            if styles and record.label in (0, 1) and rng.random() < styles:
                drawn = restyle(drawn, rng)
            drawn = warp(drawn, rng, warped) if warped else drawn
            result = preprocess(place(drawn, "random", rng, brush), steps)
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
    fold: int | None = HELD_OUT_FOLD,
    folds: int = FOLDS,
    seed: int = 0,
    pen: bool = True,
    warped: float = 0.0,
    styles: float = 0.0,
) -> tuple[Split, Split]:
    """(training, held-out people) images of a stroke file, cached on disk;
    `fold` names the fold of people held out (None: nobody)."""
    path = Path(path)
    steps = image_steps(pen)
    stat = path.stat()
    key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{variants}:{fold}:"
    key += f"{folds}:{seed}:{sorted(steps.items())}:{warped}:{styles}:{_code()}"
    cache = cache_dir() / "pen" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"
    if cache.is_file():
        saved = torch.load(cache, weights_only=True)
        return Split(*saved["train"]), Split(*saved["held_out"])
    records = list(read_strokes(path))
    held = [fold is not None and is_held_out(r.writer, fold, folds) for r in records]
    train_records = [r for r, h in zip(records, held, strict=True) if not h]
    held_records = [r for r, h in zip(records, held, strict=True) if h]
    train = render_records(train_records, variants, seed, steps, warped, styles)
    held = render_records(held_records, 1, seed + 1, steps)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(cache) as tmp:
        torch.save({"train": train, "held_out": held}, tmp)
    return Split(*train), Split(*held)


@functools.cache
def _code() -> str:
    """A digest of the rendering modules' source (see RENDERING)."""
    files = [importlib.import_module(name).__file__ for name in RENDERING]
    return hashlib.sha256(":".join(map(content_hash, files)).encode()).hexdigest()[:16]


def pen_held_out(config) -> tuple[Split, Split]:
    """The pen-digit (training, held-out) splits a TrainConfig asks for."""
    return pen_digit_splits(
        config.pen_train, config.pen_variants, config.pen_fold, config.pen_folds,
        warped=config.pen_warp, styles=config.pen_styles,
    )  # fmt: skip
