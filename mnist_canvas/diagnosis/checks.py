"""The checks of a diagnosis, each a function of the shared `Bench` returning
its findings; `diagnose.run` calls them in order, cheap ones first.

A sensitivity is always relative: the model's loss under a change minus the
reference model's loss on the same images, so what every sound model loses
(a digit turned too far) is not held against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..models.convention import POLARITIES, RANGES
from .findings import Finding
from .graph import read_graph
from .measure import Measure, Reference, points, probabilities, variant
from .perturb import CHANGES, perturbed

EXAMPLES = 6  # example digits per finding
STANDARD = {"range": "mnist", "polarity": "white-on-black"}  # the pipeline's own


@dataclass
class Bench:
    """What every check reads: the model (explicit convention), whether it is
    one of ours (a checkpoint with pipeline steps), the reference, MNIST test
    images (0–1, white on black) and what earlier checks measured."""

    model: object
    ours: bool
    reference: Reference
    images: np.ndarray
    labels: np.ndarray
    n_small: int  # images per perturbation
    seed: int = 0
    graph: object = None
    clean: Measure | None = None
    probs: np.ndarray | None = None  # the model's, on `images`
    deficits: dict[str, float] = field(default_factory=dict)  # points vs reference
    explained: float = 0.0  # clean points other findings account for
    notes: dict = field(default_factory=dict)

    def sub(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        n = self.n_small if n is None else n
        return self.images[:n], self.labels[:n]


def _paired_noise(a: Measure, b: Measure) -> float:
    """Two standard errors of a difference of two accuracies, in points (as
    if independent: the same images make it smaller, so this errs wide)."""
    return float(np.hypot(a.noise(), b.noise()))


def _pictures(images, indices, caption) -> list[tuple[str, np.ndarray]]:
    return [(caption(int(i)), images[int(i)]) for i in list(indices)[:EXAMPLES]]


def check_graph(bench: Bench) -> list[Finding]:
    graph = read_graph(bench.model)
    bench.notes["graph"] = None if graph is None else graph.ops
    bench.graph = graph
    return []


def check_drawings(bench: Bench, pen) -> list[Finding]:
    """Accuracy on pen-drawn digits against MNIST's, beside the reference's.
    `pen`: (the model's probabilities, the reference's Measure, labels,
    the model's inputs)."""
    probs, ref, labels, inputs = pen
    mine = Measure.of(probs, labels)
    clean_ref = bench.reference.measure("clean", bench.images, bench.labels)
    bench.deficits["pen digits"] = points(ref.accuracy - mine.accuracy)
    gap = points(bench.clean.accuracy - mine.accuracy)
    ref_gap = points(clean_ref.accuracy - ref.accuracy)
    severity = gap - ref_gap
    evidence = {
        "pen_accuracy": round(mine.accuracy, 4),
        "mnist_accuracy": round(bench.clean.accuracy, 4),
        "reference_pen_accuracy": round(ref.accuracy, 4),
        "recall": [None if r is None else round(r, 4) for r in mine.recall],
        "n": mine.n,
        "noise": round(_paired_noise(mine, ref), 2),
    }
    bench.notes["drawing-gap"] = evidence
    if severity <= max(1.0, evidence["noise"]):
        return []
    read = np.nan_to_num(probs).argmax(axis=1)
    wrong = np.flatnonzero(read != labels)
    evidence["examples"] = wrong[:EXAMPLES].tolist()
    weakest = int(np.nanargmin([np.nan if r is None else r for r in mine.recall]))
    summary = (
        f"It reads {mine.accuracy:.1%} of people's pen-drawn digits against "
        f"{bench.clean.accuracy:.1%} of MNIST's (the reference "
        f"{ref.accuracy:.1%}); its weakest are the {weakest}s "
        f"({mine.recall[weakest]:.0%}; {mine.n:,} digits, ±{evidence['noise']:.1f} "
        "points). What people draw differs from MNIST's scans more than its "
        "training covered."
    )
    shown = (inputs - inputs.min(axis=(1, 2), keepdims=True)) / np.maximum(
        np.ptp(inputs, axis=(1, 2), keepdims=True), 1e-6
    )
    pictures = _pictures(
        shown, wrong, lambda i: f"pen #{i}: {labels[i]} read as {read[i]}"
    )
    return [Finding("drawing-gap", severity, summary, evidence, pictures)]


def check_clean(bench: Bench) -> list[Finding]:
    """Accuracy, recall per class and calibration on MNIST test."""
    bench.probs = probabilities(bench.model, bench.images)
    bench.clean = mine = Measure.of(bench.probs, bench.labels)
    ref = bench.reference.measure("clean", bench.images, bench.labels)
    bench.deficits["clean"] = points(ref.accuracy - mine.accuracy)
    return _imbalance(bench, mine, ref) + _calibration(bench, mine, ref)


def _imbalance(bench: Bench, mine: Measure, ref: Measure) -> list[Finding]:
    share = np.bincount(bench.labels, minlength=10) / len(bench.labels)
    excess = np.array(
        [
            100.0 * ((r or 0) - (m or 0))
            for r, m in zip(ref.recall, mine.recall, strict=True)
        ]
    )
    level = max(float(np.median(excess)), 0.0)
    beyond = np.clip(excess - level, 0, None)
    severity = float((share * beyond).sum())
    read = bench.probs.argmax(axis=1)
    blank = probabilities(bench.model, np.zeros((1, 28, 28), np.float32))[0]
    rng = np.random.default_rng(bench.seed)
    noise = rng.uniform(0, 1, (100, 28, 28)).astype(np.float32) ** 3
    noise_reads = np.bincount(
        probabilities(bench.model, noise).argmax(axis=1), minlength=10
    )
    worst = int(beyond.argmax())
    as_what = np.bincount(read[bench.labels == worst], minlength=10)
    as_what[worst] = 0
    evidence = {
        "recall": [None if r is None else round(r, 4) for r in mine.recall],
        "reference_recall": [None if r is None else round(r, 4) for r in ref.recall],
        "predicted": np.bincount(read, minlength=10).tolist(),
        "true": np.bincount(bench.labels, minlength=10).tolist(),
        "blank_reads": int(blank.argmax()),
        "noise_reads": noise_reads.tolist(),
        "weakest": worst,
        "weakest_read_as": int(as_what.argmax()),
        "n": mine.n,
    }
    bench.notes["class-imbalance"] = evidence
    if severity <= max(1.0, mine.noise()) or mine.recall[worst] is None:
        return []
    bench.explained += severity
    wrong = np.flatnonzero((bench.labels == worst) & (read != worst))
    evidence["examples"] = wrong[:EXAMPLES].tolist()
    summary = (
        f"It reads only {mine.recall[worst]:.0%} of the {worst}s right "
        f"(the reference {ref.recall[worst]:.0%}); it reads most of the rest as "
        f"{evidence['weakest_read_as']}. Its answers lean to some digits: a sign "
        f"the training set held too few {worst}s. A blank reads as "
        f"{evidence['blank_reads']}."
    )
    pictures = _pictures(
        bench.images, wrong, lambda i: f"#{i}: {worst} read as {read[i]}"
    )
    return [Finding("class-imbalance", severity, summary, evidence, pictures)]


def _calibration(bench: Bench, mine: Measure, ref: Measure) -> list[Finding]:
    excess = 100.0 * (mine.ece - ref.ece)
    over = mine.gap > ref.gap
    confidence = np.nan_to_num(bench.probs).max(axis=1)
    read = bench.probs.argmax(axis=1)
    wrong = np.flatnonzero(read != bench.labels)
    sure = wrong[np.argsort(-confidence[wrong])]
    evidence = {
        "ece": round(mine.ece, 4),
        "reference_ece": round(ref.ece, 4),
        "mean_confidence": round(mine.confidence, 4),
        "accuracy": round(mine.accuracy, 4),
        "confidence_on_errors": None
        if mine.error_confidence is None
        else round(mine.error_confidence, 4),
        "reference_confidence_on_errors": None
        if ref.error_confidence is None
        else round(ref.error_confidence, 4),
        "errors_above_90": int((confidence[wrong] > 0.9).sum()),
        "examples": sure[:EXAMPLES].tolist(),
        "n": mine.n,
    }
    bench.notes["calibration"] = evidence
    if excess <= max(1.0, mine.noise()):
        return []
    cause = "overconfidence" if over else "underconfidence"
    way = "too high" if over else "too low"
    summary = (
        f"Its confidence is {way} for its accuracy, against a sound model: "
        f"{mine.confidence:.1%} on average for {mine.accuracy:.1%} right (the "
        f"reference {ref.confidence:.1%} for {ref.accuracy:.1%}; calibration "
        f"error {mine.ece:.1%} against {ref.ece:.1%}). Its probabilities do not "
        "say how often it is right: the symptom of a model fitted to its "
        "training set and not beyond."
    )
    pictures = _pictures(
        bench.images,
        sure,
        lambda i: f"#{i}: {bench.labels[i]} read as {read[i]} ({confidence[i]:.0%})",
    )
    return [Finding(cause, excess, summary, evidence, pictures)]


def _convention_costs(bench: Bench, what: str, values) -> dict[str, float]:
    images, labels = bench.sub()
    own = getattr(bench.model.convention, what)
    costs = {own: bench.probs[: len(labels)].argmax(axis=1) == labels}
    costs[own] = float(costs[own].mean())
    for value in values:
        if value != own:
            other = variant(bench.model, **{what: value})
            costs[value] = float(
                (probabilities(other, images).argmax(axis=1) == labels).mean()
            )
    return costs


def _convention(bench: Bench, cause: str, what: str, words) -> list[Finding]:
    """The convention the model expects and what the others cost it."""
    costs = _convention_costs(bench, what, words)
    own = getattr(bench.model.convention, what)
    n = min(bench.n_small, len(bench.labels))
    noise = 2 * 100.0 * np.sqrt(0.25 / n)  # the widest two standard errors
    evidence = {
        "expects": own,
        "accuracy": {k: round(v, 4) for k, v in costs.items()},
        "n": n,
    }
    bench.notes[cause] = evidence
    best = max(costs, key=costs.get)
    if 100 * (costs[best] - costs[own]) > max(2.0, noise):
        severity = 100 * (costs[best] - costs[own])
        bench.explained += severity
        summary = (
            f"It is fed {words[own]} but reads far better with {words[best]}: "
            f"{costs[best]:.1%} against {costs[own]:.1%}. Its inputs do not "
            "match what it was trained on."
        )
        evidence["better"] = best
        return [Finding(cause, severity, summary, evidence)]
    standard = STANDARD[what]
    if bench.ours and own != standard and standard in costs:
        severity = 100 * (costs[own] - costs[standard])
        if severity > max(1.0, noise):
            summary = (
                f"It was trained on {words[own]}, not the {words[standard]} "
                f"the pipeline makes for every other model: fed those it reads "
                f"{costs[standard]:.1%} instead of {costs[own]:.1%}. Any "
                "pipeline that scales its inputs the usual way misreads with it."
            )
            evidence["usual"] = standard
            return [Finding(cause, severity, summary, evidence)]
    return []


def check_range(bench: Bench) -> list[Finding]:
    return _convention(bench, "input-range", "range", RANGES)


def check_polarity(bench: Bench) -> list[Finding]:
    return _convention(bench, "input-polarity", "polarity", POLARITIES)


def check_layout(bench: Bench) -> list[Finding]:
    """The layout it expects (the others cannot run or are the same bytes);
    a layout read the wrong way round is the transposed check's."""
    bench.notes["input-layout"] = {"expects": bench.model.convention.layout}
    return []


def check_transposed(bench: Bench) -> list[Finding]:
    images, labels = bench.sub()
    upright = Measure.of(bench.probs[: len(labels)], labels)
    flipped_probs = probabilities(bench.model, images.transpose(0, 2, 1))
    flipped = Measure.of(flipped_probs, labels)
    gain = points(flipped.accuracy - upright.accuracy)
    evidence = {
        "upright": round(upright.accuracy, 4),
        "transposed": round(flipped.accuracy, 4),
        "n": len(labels),
    }
    bench.notes["transposed"] = evidence
    if gain <= max(2.0, _paired_noise(upright, flipped)):
        return []
    bench.explained += gain
    right = np.flatnonzero(
        (flipped_probs.argmax(axis=1) == labels)
        & (bench.probs[: len(labels)].argmax(axis=1) != labels)
    )
    evidence["examples"] = right[:EXAMPLES].tolist()
    summary = (
        f"It reads transposed digits (rows and columns swapped, as EMNIST stores "
        f"them) far better than upright ones: {flipped.accuracy:.1%} against "
        f"{upright.accuracy:.1%}. It was trained on transposed images."
    )
    pictures = _pictures(images, right, lambda i: f"#{i}: upright {labels[i]}")
    return [Finding("transposed", gain, summary, evidence, pictures)]


def check_underfitting(bench: Bench) -> list[Finding]:
    """What is left of the gap to the reference once the other findings on
    clean digits (convention, transposition, one weak class) are counted."""
    ref = bench.reference.measure("clean", bench.images, bench.labels)
    severity = bench.deficits["clean"] - bench.explained
    training = (bench.model.metadata or {}).get("training") or {}
    recipe = {k: training[k] for k in ("epochs", "lr") if k in training}
    evidence = {
        "accuracy": round(bench.clean.accuracy, 4),
        "reference_accuracy": round(ref.accuracy, 4),
        "n": bench.clean.n,
        **({"recipe": recipe} if recipe else {}),
    }
    bench.notes["underfitting"] = evidence
    if severity <= max(0.5, _paired_noise(bench.clean, ref)):
        return []
    summary = (
        f"It reads {bench.clean.accuracy:.1%} of MNIST's test digits, the "
        f"reference CNN {ref.accuracy:.1%}: it has not learnt what a small CNN "
        "learns (too few epochs, a learning rate too high or too low, or an "
        "activation that stops learning)."
    )
    return [Finding("underfitting", severity, summary, evidence)]


def check_change(bench: Bench, kind: str) -> list[Finding]:
    """Accuracy under one geometric change, against the reference's."""
    images, labels = bench.sub()
    changed = perturbed(images * 255.0, kind, bench.seed) / 255.0
    before = Measure.of(bench.probs[: len(labels)], labels)
    changed_probs = probabilities(bench.model, changed)
    after = Measure.of(changed_probs, labels)
    ref_before = bench.reference.measure("clean-small", images, labels)
    ref_after = bench.reference.measure(kind, changed, labels)
    loss = points(before.accuracy - after.accuracy)
    ref_loss = points(ref_before.accuracy - ref_after.accuracy)
    bench.deficits[kind] = points(ref_after.accuracy - after.accuracy)
    severity = loss - ref_loss
    cause = f"{kind}-sensitivity"
    evidence = {
        "change": CHANGES[kind],
        "accuracy": round(before.accuracy, 4),
        "changed_accuracy": round(after.accuracy, 4),
        "reference_accuracy": round(ref_before.accuracy, 4),
        "reference_changed_accuracy": round(ref_after.accuracy, 4),
        "n": len(labels),
        "noise": round(_paired_noise(after, ref_after), 2),
    }
    bench.notes[cause] = evidence
    if severity <= max(1.0, evidence["noise"]):
        return []
    lost = np.flatnonzero(
        (changed_probs.argmax(axis=1) != labels)
        & (bench.probs[: len(labels)].argmax(axis=1) == labels)
    )
    evidence["examples"] = lost[:EXAMPLES].tolist()
    summary = (
        f"Digits {CHANGES[kind]}: it reads {after.accuracy:.1%} of them "
        f"({before.accuracy:.1%} unchanged), the reference {ref_after.accuracy:.1%}. "
        f"It loses {severity:.1f} points more than a sound model does "
        f"({len(labels):,} digits, ±{evidence['noise']:.1f} points)."
    )
    read = changed_probs.argmax(axis=1)
    pictures = _pictures(
        changed, lost, lambda i: f"#{i}: {labels[i]} read as {read[i]}"
    )
    return [Finding(cause, severity, summary, evidence, pictures)]


def check_architecture(bench: Bench) -> list[Finding]:
    """An MLP, a saturating activation: read from the graph, at stake the
    most it loses against the reference under any condition checked."""
    graph = getattr(bench, "graph", None)
    if graph is None or not bench.deficits:
        return []
    worst = max(bench.deficits, key=bench.deficits.get)
    severity = bench.deficits[worst]
    evidence = {
        "operators": graph.ops,
        "deficits": bench.deficits,
        "worst": worst,
    }
    found = []
    if graph.is_mlp and severity > 1.0:
        summary = (
            f"It is an MLP: {graph.dense} dense layers and no convolution. It "
            f"must learn each stroke at each position apart; its worst loss "
            f"against the reference CNN is {severity:.1f} points ({worst})."
        )
        found.append(Finding("mlp", severity, summary, evidence))
    if graph.saturating and severity > 1.0:
        summary = (
            f"{graph.saturating} sigmoid or tanh activations sit between its "
            f"layers; they saturate and pass little gradient, so it learns "
            f"less than the reference ReLU CNN: {severity:.1f} points down "
            f"at worst ({worst})."
        )
        found.append(Finding("saturating-activation", severity, summary, evidence))
    return found
