"""How good and how fast the explanations are, for the default model.

    python benchmarks/bench_explain.py              # a table
    python benchmarks/bench_explain.py --json       # figures as JSON, last line
    python benchmarks/bench_explain.py --ig         # also Integrated Gradients

Quality, on pen digits of the writers the model never trained on (as its
metadata says; all writers when it trained on every one), placed on the
default canvas as the app shows them:
- deletion: paint the 10 % of input pixels with the most attribution over with
  the background, and the probability of the digit read should fall far more
  than when as many random ink pixels (or 10 % of the ink) are painted over;
- neighbours: for digits read correctly, the share of the 8 nearest training
  digits (in the model's feature space) labelled with the digit read
  (`bench_neighbours.py --choices`: what each way of making the index small
  costs in this share).
Speed, one thread as in the app: attribution, a neighbour query (the model's
features and the search), and a probe move → answer (probe, preprocessing,
model), each in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random

import numpy as np
import torch
from bench_predict import measure

from mnist_canvas.data import default_mnist_dir, default_pen_digits
from mnist_canvas.data.strokes import read_strokes
from mnist_canvas.diagnosis.attribution import background, most_attributed, occlusion
from mnist_canvas.diagnosis.neighbours import load_or_build
from mnist_canvas.diagnosis.probes import Probes, apply
from mnist_canvas.ink.placement import place
from mnist_canvas.models.classifier import Classifier, resolve_model
from mnist_canvas.training.pen_data import never_trained_on

FRACTION = 0.1  # of the 784 input pixels (deletion)


def held_out_inputs(classifier: Classifier, limit: int, seed: int):
    """(model inputs, labels) of the digits of writers the model never trained
    on, read by `classifier`; every writer's when it trained on them all."""
    training = classifier.metadata.get("training", {})
    records = list(read_strokes(default_pen_digits()))
    unseen = [r for r in records if never_trained_on(r.writer, training)]
    if not unseen:
        print(f"{classifier.name} trained on every writer: using all their digits")
    records = unseen or records
    random.Random(seed).shuffle(records)
    inputs, labels = [], []
    for record in records[:limit]:
        prediction = classifier.predict(place(record))
        if not prediction.is_empty:
            inputs.append(prediction.preprocessed.input)
            labels.append(record.label)
    return np.stack(inputs), np.array(labels), len(records)


def deletion(classifier, inputs, attribute, seed: int) -> dict:
    """Mean fall of the read digit's probability when the most attributed
    pixels, as many random ink pixels, or 10 % of the ink are painted over."""
    rng = np.random.default_rng(seed)
    falls = {"top_attributed": [], "random_ink_same_count": [], "random_10pct_ink": []}
    for x in inputs:
        p = classifier.probabilities(x[None])[0]
        digit, paper = int(p.argmax()), background(x)
        ink = np.flatnonzero(np.abs(x - paper).ravel() > 0.1 * np.abs(x - paper).max())
        top = most_attributed(attribute(x), FRACTION)
        chosen = {
            "top_attributed": top,
            "random_ink_same_count": rng.choice(ink, min(len(top), len(ink)), False),
            "random_10pct_ink": rng.choice(ink, max(1, round(0.1 * len(ink))), False),
        }
        batch = np.repeat(x[None], 3, axis=0)
        for row, pixels in enumerate(chosen.values()):
            batch[row].ravel()[pixels] = paper
        after = classifier.probabilities(batch)[:, digit]
        for name, q in zip(chosen, after, strict=True):
            falls[name].append(p[digit] - q)
    return {name: round(float(np.mean(v)), 4) for name, v in falls.items()}


def integrated_gradients(model_name: str | None):
    """Attribution by captum's Integrated Gradients on the torch model (the
    baseline: the input's background), for comparison with occlusion."""
    from captum.attr import IntegratedGradients

    from mnist_canvas.models.checkpoint_file import load_checkpoint

    model, _ = load_checkpoint(resolve_model(model_name))
    method = IntegratedGradients(model.eval())

    def attribute(x):
        tensor = torch.from_numpy(x)[None, None]
        digit = int(model(tensor).argmax())
        base = torch.full_like(tensor, background(x))
        found = method.attribute(tensor, base, target=digit, n_steps=32)
        return found[0, 0].detach().numpy()

    return attribute


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=None)
    p.add_argument("--limit", type=int, default=400, help="held-out digits to use")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ig", action="store_true", help="also Integrated Gradients")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    classifier = Classifier.load(args.model)
    inputs, labels, held = held_out_inputs(classifier, args.limit, args.seed)
    probabilities = classifier.probabilities(inputs)
    right = probabilities.argmax(1) == labels
    found = {"model": classifier.name, "held_out_digits": held, "used": len(labels),
             "accuracy_on_used": round(float(right.mean()), 4)}  # fmt: skip
    found["deletion_occlusion"] = deletion(
        classifier, inputs, lambda x: occlusion(classifier, x).map, args.seed
    )
    if args.ig:
        found["deletion_integrated_gradients"] = deletion(
            classifier, inputs, integrated_gradients(args.model), args.seed
        )
        ig = integrated_gradients(args.model)
        found["integrated_gradients_latency"] = measure(ig, list(inputs[:100]), 1)
    index = load_or_build(classifier, resolve_model(args.model), default_mnist_dir())
    shares = [
        np.mean([n.label == label for n in index.nearest(classifier, x, 8)])
        for x, label in zip(inputs[right], labels[right], strict=True)
    ]
    found["neighbours_share_same_label"] = round(float(np.mean(shares)), 4)
    found["neighbour_space"] = index.space
    found["attribution_latency"] = measure(
        lambda x: occlusion(classifier, x), list(inputs[:100]), 3
    )
    found["neighbour_query_latency"] = measure(
        lambda x: index.nearest(classifier, x, 8), list(inputs[:100]), 3
    )
    records = list(read_strokes(default_pen_digits()))[:100]
    rng = random.Random(args.seed)
    moves = [
        (place(r), Probes(rotation=rng.uniform(-45, 45), thickness=rng.uniform(0.5, 2)))
        for r in records
    ]
    found["probe_answer_latency"] = measure(
        lambda m: classifier.predict(apply(*m)), moves, 3
    )
    if args.json:
        print(json.dumps(found))
    else:
        for key, value in found.items():
            print(f"{key:>32}: {value}")


if __name__ == "__main__":
    main()
