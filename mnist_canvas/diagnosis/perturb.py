"""MNIST test images changed one way at a time, and the properties a set of
digit pictures has (for comparing someone's inputs with MNIST's).

    moved = perturbed(images, "shift", rng)        # (N, 28, 28), 0–255
    stats = picture_stats(images / 255)            # box size, centre, stroke…

Every change goes through `probes.apply` (the probe panel's own transforms);
images are MNIST's: 28×28 grey levels 0–255, white ink on black.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .probes import Probes, apply

SIDE = 28
SHIFT_PX = 4  # "small shifts": 4 px, one of four directions
ROTATION_DEG = 15.0
FRAME_SIZE = 100.0  # % of the frame: 28 px instead of MNIST's 20-px box
THICKER = 1.5  # one grey-level filter step

# What each geometry check does to an image, in words (the report says it).
CHANGES = {
    "shift": f"moved {SHIFT_PX} px up, down, left or right",
    "size": "enlarged to fill the 28-px frame instead of MNIST's 20-px box",
    "rotation": f"turned {ROTATION_DEG:g}° left or right",
    "thickness": "strokes thicker (one grey-level max-filter step) or thinner "
    "(the faint edge of each stroke removed)",
}


def _probes(kind: str, i: int, rng: np.random.Generator) -> Probes:
    if kind == "shift":
        dx, dy = ((1, 0), (-1, 0), (0, 1), (0, -1))[rng.integers(4)]
        step = 100.0 * SHIFT_PX / SIDE
        return Probes(shift_x=dx * step, shift_y=dy * step)
    if kind == "size":
        return Probes(size=FRAME_SIZE)
    if kind == "rotation":
        return Probes(rotation=ROTATION_DEG * rng.choice((-1, 1)))
    if kind == "thickness":
        return Probes(thickness=THICKER)
    raise ValueError(f"no change called {kind!r}: {', '.join(CHANGES)}")


def perturbed(images: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """`images` (N, 28, 28, 0–255) each changed by `kind` (see CHANGES),
    reproducibly for a seed."""
    rng = np.random.default_rng(seed)
    out = [
        thinner(image) if kind == "thickness" and i % 2 else
        apply(image, _probes(kind, i, rng))
        for i, image in enumerate(images)
    ]  # fmt: skip
    return np.stack(out).astype(np.float32) if out else images.astype(np.float32)


def thinner(image: np.ndarray) -> np.ndarray:
    """The strokes about a pixel thinner: the faint half of the grey levels
    gone, the rest stretched back to 0–255 (a min filter would take 2 px off
    MNIST's 3-px strokes and erase them)."""
    return np.clip((np.asarray(image, np.float32) - 128.0) * 2.0, 0.0, 255.0)


def with_probes(images: np.ndarray, probes: Probes) -> np.ndarray:
    """Every image changed by the same probes."""
    return np.stack([apply(image, probes) for image in images]).astype(np.float32)


@dataclass(frozen=True)
class PictureStats:
    """Medians over a set of 28×28 pictures (0–1 after `normalised`)."""

    low: float  # the values' range before normalising
    high: float
    dark_ink: float  # share of pictures whose border is brighter than the ink
    box: float  # longer side of the ink's box, px
    offset: float  # centre of mass from the frame's centre, px
    stroke: float  # stroke width, px (ink area / half its outline)

    def to_json(self) -> dict:
        return {k: round(float(v), 3) for k, v in self.__dict__.items()}


def _border(images: np.ndarray) -> np.ndarray:
    return np.concatenate(
        [images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1
    )


def normalised(images: np.ndarray) -> np.ndarray:
    """Pictures as 0–1, white ink on black, whatever their range and polarity
    (each picture by its own: dark border → as is, bright → inverted)."""
    x = np.asarray(images, np.float64)
    low = x.min(axis=(1, 2), keepdims=True)
    span = x.max(axis=(1, 2), keepdims=True) - low
    x = (x - low) / np.where(span > 0, span, 1)
    bright = np.median(_border(x), axis=1) > 0.5
    x[bright] = 1.0 - x[bright]
    return x.astype(np.float32)


def picture_stats(images: np.ndarray) -> PictureStats:
    """The properties of (N, 28, 28) pictures in any range or polarity."""
    raw = np.asarray(images, np.float64)
    border = np.median(_border(raw), axis=1)
    middle = (raw.min(axis=(1, 2)) + raw.max(axis=(1, 2))) / 2
    x = normalised(images)
    ink = x > 0.3
    boxes, offsets, strokes = [], [], []
    grid = np.arange(SIDE) - (SIDE - 1) / 2
    for picture, mask in zip(x, ink, strict=True):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if not len(rows):
            continue
        boxes.append(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
        total = picture.sum()
        cy, cx = picture.sum(axis=1) @ grid / total, picture.sum(axis=0) @ grid / total
        offsets.append(float(np.hypot(cx, cy)))
        inner = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1]
        inner &= mask[1:-1, :-2] & mask[1:-1, 2:]
        outline = mask.sum() - inner.sum()
        strokes.append(2.0 * mask.sum() / max(outline, 1))
    nothing = not boxes
    return PictureStats(
        float(np.median(raw.min(axis=(1, 2)))),
        float(np.median(raw.max(axis=(1, 2)))),
        float((border > middle).mean()),
        0.0 if nothing else float(np.median(boxes)),
        0.0 if nothing else float(np.median(offsets)),
        0.0 if nothing else float(np.median(strokes)),
    )
