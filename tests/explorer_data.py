"""Small stroke files for the explorer's tests (imported by them)."""

import json

# Strokes in tablet units (placed as a person would draw them).
ONE = [[[150, 50], [146, 120], [140, 230]]]
SEVEN = [[[70, 50], [210, 50], [120, 240]]]
ZERO = [[[140, 40], [80, 80], [70, 160], [100, 230], [170, 230], [200, 160],
         [190, 80], [140, 40]]]  # fmt: skip

# (label, strokes): 1s and 7s read right, and three misread ones: a 7 labelled
# 1, a 1 labelled 7 and a 0 labelled 7.
RECORDS = [(1, ONE), (7, SEVEN), (1, SEVEN), (0, ZERO), (7, ONE), (7, ZERO),
           (1, ONE), (7, SEVEN)]  # fmt: skip


def stroke_file(path, records=RECORDS, bad_line: int | None = None):
    """Write records as stroke JSON lines; `bad_line` (1-based) holds a record
    whose label is not a digit."""
    lines = [json.dumps({"label": label, "strokes": strokes})
             for label, strokes in records]  # fmt: skip
    if bad_line is not None:
        lines.insert(bad_line - 1, json.dumps({"label": 12, "strokes": ONE}))
    path.write_text("\n".join(lines) + "\n")
    return path
