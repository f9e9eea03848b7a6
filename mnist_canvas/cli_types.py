"""argparse types that check a number's range, so a bad value exits 2 with a
message naming the argument (argparse's own handling), never a traceback.

    parser.add_argument("--threads", type=threads, default=2)
    parser.add_argument("--lr", type=positive, default=0.004)
    parser.add_argument("--brush", type=positive_up_to(4096), default=None)
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number ≥ `low` (and ≤ `high` when given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, not {value}")
        return value

    return parse


MAX_THREADS = 256  # 100,000 asked of ONNX Runtime or torch: a hang, not an answer
threads = at_least(1, MAX_THREADS)


def positive_up_to(high: float) -> Callable[[str], float]:
    """A finite number above 0 and at most `high` (NaN and infinity refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(
                f"must be a finite number above 0, not {text}"
            )
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:g}, not {text}")
        return value

    return parse


positive = positive_up_to(math.inf)
