"""Show what checkpoints say about themselves.

    python -m mnist_canvas.checkpoint weights/cnn-bn.safetensors
    python -m mnist_canvas.checkpoint --table weights/*.safetensors

JSON of the metadata, or with --table Markdown rows (as in docs/models.md).
Exit status 0, or 2 with a message for a file that is not a usable checkpoint
(metadata and weights both checked: shapes against the architecture, finite).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .models.checkpoint_file import CheckpointError, load_checkpoint


def table_row(path: Path, metadata: dict) -> str:
    """One Markdown table row: model, parameters, accuracies, training time."""
    metrics = metadata.get("metrics", {})

    def percent(key: str) -> str:
        value = metrics.get(key)
        return "–" if value is None else f"{value:.2%}"

    minutes = metadata.get("train_seconds", 0) / 60
    return (
        f"| {path.stem} | {metadata.get('parameters', 0):,} | "
        f"{percent('mnist_test_accuracy')} | {percent('pen_dev_accuracy')} | "
        f"{percent('pen_heldout_writers_accuracy')} | {minutes:.1f} min | "
        f"`{metadata.get('command', '')}` |"
    )


def main(argv: list[str] | None = None) -> int:
    """Print checkpoints' metadata as JSON, or with --table as Markdown rows."""
    parser = argparse.ArgumentParser(
        prog="python -m mnist_canvas.checkpoint",
        description="Show what a checkpoint says about itself.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--table", action="store_true", help="as Markdown rows")
    args = parser.parse_args(argv)
    if args.table:
        print(
            "| model | parameters | MNIST test | pen digits (dev) | pen digits, "
            "unseen writers | training time | command |"
        )
        print("|---|---|---|---|---|---|---|")
    for name in args.files:
        try:
            _, metadata = load_checkpoint(name)  # the weights are checked too
        except CheckpointError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(
            table_row(Path(name), metadata)
            if args.table
            else json.dumps(metadata, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
