"""Help ▸ About This Model: what a catalogue entry's metadata says about it."""

from __future__ import annotations

from html import escape

from ..models.catalogue import ModelEntry
from ..models.convention import Convention
from ..models.imported import source_changed

FORMATS = {"keras": "Keras", "h5": "Keras .h5", "torchscript": "TorchScript"}
ASSUMED = (
    "<b>Convention assumed, not measured</b> (imported without MNIST): "
    "File ▸ Measure Model's Convention… measures it"
)


def _percent(value) -> str | None:
    return f"{value:.2%}" if isinstance(value, int | float) else None


def _description(entry: ModelEntry) -> list[str]:
    text = entry.description
    return [] if text is None else [f"<i>{escape(text)}</i>"]


def model_summary(entry: ModelEntry | None) -> str:
    """Rich text for the About box; never fails on odd metadata."""
    if entry is None:
        return "No model is loaded."
    if not entry.usable:
        return f"<b>{escape(entry.name)}</b> cannot be used: {escape(entry.problem)}"
    meta = entry.metadata
    if "convention" in meta:
        return _imported_summary(entry)
    arch = meta.get("model", {}).get("arch", "?")
    parameters = meta.get("parameters")
    count = f"{parameters:,}" if isinstance(parameters, int) else "?"
    lines = [f"<b>{escape(entry.name)}</b> ({escape(str(arch))}, {count} parameters)"]
    lines += _description(entry)
    metrics = entry.metrics()
    for key, label in (
        ("mnist_test_accuracy", "MNIST test accuracy"),
        ("pen_dev_accuracy", "Pen-drawn digits (dev)"),
    ):
        if (text := _percent(metrics.get(key))) is not None:
            lines.append(f"{label}: {text}")
    augment = meta.get("training", {}).get("augment", [])
    augment = ", ".join(map(str, augment)) if isinstance(augment, list) else ""
    lines.append(
        f"Trained {escape(str(meta.get('epochs_run', '?')))} epochs, "
        f"augmentation: {escape(augment) or 'none'}"
    )
    members = meta.get("members")
    if isinstance(members, list) and members:
        seeds = ", ".join(
            escape(str(m.get("seed", "?"))) for m in members if isinstance(m, dict)
        )
        lines.append(
            f"Averages {len(members)} models trained apart (seeds {seeds}); "
            "the epochs are theirs together"
        )
    lines.append(f"Data: {escape(str(meta.get('data', {}).get('mnist', '?')))}")
    lines.append(f"Command: <code>{escape(str(meta.get('command', '?')))}</code>")
    lines.append(f"Date: {escape(str(meta.get('date', '?')))}")
    return "<br>".join(lines)


def _imported_summary(entry: ModelEntry) -> str:
    meta = entry.metadata
    convention = Convention.from_dict(meta["convention"])  # checked when listed
    kind = "shipped" if entry.shipped else "imported"
    original = FORMATS.get(meta.get("format"))
    what = f"{original} model, converted to ONNX" if original else "ONNX model"
    lines = [f"<b>{escape(entry.name)}</b> ({kind} {what})"]
    lines += _description(entry)
    if (text := _percent(entry.metrics().get("mnist_test_accuracy"))) is not None:
        lines.append(f"MNIST test accuracy: {text}")
    lines.append(f"It {escape(convention.describe())}")
    if entry.convention_assumed:
        lines.append(ASSUMED)
    elif meta.get("close_call") is True:
        lines.append(
            "A close call: another convention was as likely on MNIST, within "
            "the measurement's noise"
        )
    lines.append(f"Output: {escape(str(meta.get('output', 'logits')))}")
    latency = meta.get("latency_ms")
    if isinstance(latency, int | float):
        lines.append(f"One digit takes {latency:.2f} ms")
    if "imported_from" in meta:
        lines.append(f"Imported from {escape(str(meta['imported_from']))}")
    if source_changed(meta):
        lines.append(
            "That file has changed since it was imported: import it again to "
            "use the new version"
        )
    if "command" in meta:
        lines.append(f"Command: <code>{escape(str(meta['command']))}</code>")
    return "<br>".join(lines)
