"""The diagnosis as one self-contained HTML page (example digits embedded as
PNG images), readable offline; the same findings and numbers as --json.

    write_html("report.html", report)
"""

from __future__ import annotations

import base64
import html
import io
import json
import os

import numpy as np
from PIL import Image

from ..files import write_text
from .findings import Report

STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;
padding:0 1em;color:#222}h1{font-size:1.5em}.f{border:1px solid #ccc;
border-radius:6px;padding:.6em 1em;margin:1em 0}.sev{float:right;font-weight:bold;
font-size:1.2em}.fix{background:#eef6ee;padding:.4em .6em;border-radius:4px}
figure{display:inline-block;margin:.3em;text-align:center;font-size:12px}
img{width:84px;height:84px;image-rendering:pixelated;border:1px solid #999}
pre{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}"""


def png_data(picture: np.ndarray) -> str:
    """A 28×28 0–1 picture as a data: URL."""
    pixels = (np.clip(np.nan_to_num(picture), 0, 1) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _accuracy(value: float | None) -> str:
    return "not checked" if value is None else f"{value:.2%}"


def render(report: Report) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Diagnosis of {e(report.model)}</title><style>{STYLE}</style>",
        f"</head><body><h1>Why is {e(report.model)} wrong?</h1>",
        f"<p>MNIST test: <b>{_accuracy(report.mnist)}</b> · pen-drawn digits: "
        f"<b>{_accuracy(report.strokes)}</b></p><p>{e(report.verdict())}</p>",
    ]
    for problem in report.problems:
        parts.append(f"<p style='color:#a00'>Problem: {e(problem)}</p>")
    for f in report.ranked():
        figures = "".join(
            f"<figure><img alt='{e(c)}' src='{png_data(p)}'>"
            f"<figcaption>{e(c)}</figcaption></figure>"
            for c, p in f.pictures
        )
        evidence = json.dumps(f.evidence, indent=1)
        parts.append(
            f"<div class='f'><span class='sev'>{f.severity:.1f} points</span>"
            f"<h2>{e(f.cause)}</h2><p>{e(f.summary)}</p>"
            f"<p class='fix'><b>Fix:</b> {e(f.fix)}</p>{figures}"
            f"<details><summary>Evidence</summary><pre>{e(evidence)}</pre>"
            "</details></div>"
        )
    parts.append(
        f"<h2>Checks that ran</h2><p>{e(', '.join(report.checks))}</p>"
        "<p>Severity: the accuracy points at stake, measured against the app's "
        "default model on the same images.</p>"
        f"<details><summary>All measurements</summary><pre>"
        f"{e(json.dumps(report.notes, indent=1, default=str))}</pre></details>"
        f"<script type='application/json' id='report'>"
        f"{e(json.dumps(report.to_json()))}</script></body></html>"
    )
    return "".join(parts)


def write_html(path: str | os.PathLike, report: Report) -> None:
    write_text(path, render(report))
