"""Pictures of digits (PNG, JPG, ...) → the canvas's convention, and back.

    >>> pixels = load_picture("seven.png", (280, 280))   # doctest: +SKIP
    >>> pixels = canvas_picture(mnist_image, (280, 280))  # doctest: +SKIP

A picture enters the pipeline at the raster stage: grey, dark ink on light
paper, 0–255, padded (never stretched) to the canvas size.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..files import atomic_write

MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
# What PIL's decoders raise on damaged files, besides OSError.
UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    struct.error,
    ZeroDivisionError,
)


def load_picture(path: str | os.PathLike, size: tuple[int, int]) -> np.ndarray:
    """A picture file as float32 (h, w) in the canvas convention, fitted to size."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            too_large = image.width * image.height > MAX_PIXELS
            if not too_large:
                gray = ImageOps.exif_transpose(image).convert("L")
    except Image.DecompressionBombError:
        too_large = True
    except UNREADABLE as error:
        # PIL's "cannot identify image file" repeats the path and says no more.
        why = "" if isinstance(error, UnidentifiedImageError) else f" ({error})"
        raise ValueError(
            f"{path}: not a picture that can be read (PNG, JPG, BMP, …), nor a "
            f"drawing (.json){why}"
        ) from None
    if too_large:
        raise ValueError(
            f"{path}: the picture is too large to be a digit (over "
            f"{MAX_PIXELS:,} pixels)"
        )
    return canvas_picture(np.asarray(gray, dtype=np.float32), size)


def canvas_picture(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Grey pixels (0–255, either polarity: an MNIST image, a photo) as
    float32 (h, w) in the canvas convention, fitted to size."""
    pixels = np.asarray(pixels, dtype=np.float32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) < 128:  # light ink on dark, as MNIST: flip to paper
        pixels = 255.0 - pixels
    paper = float(np.median(np.concatenate([pixels[0], pixels[-1]])))
    fitted = ImageOps.pad(
        Image.fromarray(pixels.astype(np.uint8)), size, color=int(paper)
    )
    return np.asarray(fitted, dtype=np.float32)


def save_gray_png(path: str | os.PathLike, pixels: np.ndarray) -> None:
    """Write a grey image (values 0–255) as PNG, atomically (a read-only file
    is kept: PermissionError)."""
    image = Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))
    with atomic_write(path, keep_read_only=True) as tmp:
        image.save(tmp, format="PNG")
