"""What a diagnosis finds: a cause from a fixed vocabulary, the accuracy at
stake, the evidence, a summary in plain words and the fix.

    finding = Finding("input-range", 88.0, "…", evidence={"fed 0–1": 11.3})
    finding.to_json()   # {"cause", "severity", "summary", "fix", "evidence"}
    report.to_json()    # the command's --json line (see mnist_canvas.diagnose)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Each cause the checks can name, and its fix (the seed material's remedies).
FIXES: dict[str, str] = {
    "input-range": "Scale the inputs the way the model was trained: divide 0–255 "
    "pixels by 255 (and normalise with MNIST's mean 0.1307 and std 0.3081 if "
    "training did), in training and at inference alike.",
    "input-polarity": "Feed white ink on black, as MNIST stores digits, or invert "
    "the pictures (255 - value) before the model sees them.",
    "input-layout": "Reshape the inputs to the layout the model was trained on "
    "(N×1×28×28, N×28×28×1 or N×784, row by row).",
    "transposed": "The model learnt transposed digits (as EMNIST stores them): "
    "transpose the training images (or the inputs) so both are upright.",
    "shift-sensitivity": "Augment the training images with small random shifts, "
    "centre the inputs by their centre of mass, or use a CNN instead of an MLP.",
    "size-sensitivity": "Fit the inputs to a 20-px box in the 28×28 frame as "
    "MNIST does, and augment training with random zoom.",
    "rotation-sensitivity": "Augment the training images with random rotations "
    "(about ±15°).",
    "thickness-sensitivity": "Augment with thinner and thicker strokes, or draw "
    "inputs with a pen about an eighth of the digit's size, as MNIST's.",
    "mlp": "Use a CNN instead of an MLP: convolutions see the same stroke "
    "anywhere in the frame; an MLP must learn each position apart.",
    "saturating-activation": "Use ReLU instead of sigmoid or tanh between "
    "layers: saturating units pass almost no gradient and learn slowly.",
    "class-imbalance": "Rebalance the training set (more examples of the weak "
    "digits, oversampling or class weights in the loss).",
    "overconfidence": "Regularise: dropout or L2 weight decay, more training "
    "data or augmentation, early stopping; calibrate with a temperature.",
    "underconfidence": "Train longer or with less smoothing and dropout, or "
    "calibrate with a temperature: its probabilities understate it.",
    "underfitting": "Train more epochs, try another learning rate (the default "
    "peaks at 0.004 with AdamW), use ReLU and a CNN.",
    "drawing-gap": "Train with pen-drawn digits too and augment (rotation, "
    "thickness, elastic): people's digits differ from MNIST's scans.",
    "input-size": "Fit each digit to a 20-px box in the 28×28 frame, as MNIST "
    "does, before the model sees it.",
    "input-centring": "Centre each digit by its centre of mass in the 28×28 "
    "frame, as MNIST does.",
    "input-thickness": "Draw or thicken strokes to about 3 px at 28×28 "
    "(an eighth of the digit's size), as MNIST's.",
}
CAUSES = tuple(FIXES)


@dataclass
class Finding:
    cause: str
    severity: float  # accuracy points at stake, 0–100, measured
    summary: str
    evidence: dict = field(default_factory=dict)
    # Example digits for the report: (caption, 28×28 0–1 white on black).
    pictures: list[tuple[str, np.ndarray]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.cause not in FIXES:
            raise ValueError(f"unknown cause {self.cause!r}")
        self.severity = round(float(min(max(self.severity, 0.0), 100.0)), 2)

    @property
    def fix(self) -> str:
        return FIXES[self.cause]

    def to_json(self) -> dict:
        return {
            "cause": self.cause,
            "severity": self.severity,
            "summary": self.summary,
            "fix": self.fix,
            "evidence": self.evidence,
        }


@dataclass
class Report:
    model: str
    mnist: float | None = None  # accuracy 0–1 on the MNIST images checked
    strokes: float | None = None  # on the pen-drawn digits checked
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # bad input, in words
    notes: dict = field(default_factory=dict)  # what each check measured

    def ranked(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: -f.severity)  # stable on ties

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "accuracy": {"mnist": self.mnist, "strokes": self.strokes},
            "findings": [f.to_json() for f in self.ranked()],
            "checks": list(self.checks),
        }

    def verdict(self) -> str:
        """One line: the main cause, or that none was found."""
        ranked = self.ranked()
        if not ranked:
            return (
                f"No problem found: {len(self.checks)} checks ran "
                f"({', '.join(self.checks)})."
            )
        top = ranked[0]
        return f"Main cause: {top.cause} ({top.severity:.1f} accuracy points at stake)."
