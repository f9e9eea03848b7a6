"""Personalising, simulated with pen-digit writers the model never trained on.

    nice -n 10 python benchmarks/bench_personal.py --threads 1 --json out.json

For the writers the model's training held out (read from its metadata; an
ibm person counts as unseen only when all their sessions were held out), every
digit is read by the model through the app's
path; the five writers it misreads most and a seeded sample of the others
("ordinary") are then each personalised with K of their digits (K = 10, 30,
100; fewer when a writer has fewer, keeping at least --min-test digits to
test on; --draws random draws of them, 3 by default) and measured on their
other digits, before and after, with MNIST
test accuracy afterwards and the seconds personalising took (rendering the
digits and fine-tuning; loading MNIST and testing are not counted).
Needs $MNIST_CANVAS_DATA (MNIST and the pen digits).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time

import numpy as np

from mnist_canvas.data import default_mnist_dir, default_pen_digits
from mnist_canvas.data.mnist import load_mnist
from mnist_canvas.data.strokes import person, read_strokes
from mnist_canvas.ink.placement import place
from mnist_canvas.models.checkpoint_file import load_checkpoint
from mnist_canvas.models.classifier import Classifier, predict_many, resolve_model
from mnist_canvas.training.fine_tune import Recipe, digit_images, personalise
from mnist_canvas.training.fit import evaluate
from mnist_canvas.training.pen_data import never_trained_on


def unseen_writers(path, training: dict) -> dict[str, list]:
    """Each person none of whose digits the model trained on → their digits
    (one person's sessions joined; a person seen in any session left out)."""
    people: dict[str, list] = {}
    seen = set()
    for record in read_strokes(path):
        if never_trained_on(record.writer, training):
            people.setdefault(person(record.writer), []).append(record)
        else:
            seen.add(person(record.writer))
    return {p: records for p, records in people.items() if p not in seen}


def misread(classifier: Classifier, records: list) -> np.ndarray:
    """True where the model reads a digit wrongly (default placement)."""
    probabilities = predict_many([place(r) for r in records], classifier)
    labels = np.array([r.label for r in records])
    return np.nan_to_num(probabilities).argmax(1) != labels


def run_one(args, recipe, mnist, records, wrong, k, seed):
    """Personalise on k of a writer's digits; figures on the rest."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    k = min(k, len(records) - args.min_test)
    train, test = order[:k], order[k:]
    model, metadata = load_checkpoint(resolve_model(args.model))
    start = time.perf_counter()
    mine = digit_images([records[i] for i in train], recipe.variants, recipe.seed)
    personalise(model, mine, mnist.train, recipe)
    seconds = time.perf_counter() - start
    after = Classifier.from_module(model, metadata, "personal")
    return {
        "k": k, "test": len(test), "seconds": round(seconds, 2),
        "errors_before": int(wrong[test].sum()),
        "errors_after": int(misread(after, [records[i] for i in test]).sum()),
        "mnist_test": evaluate(model, mnist.test)[1],
    }  # fmt: skip


def summarise(rows: list[dict]) -> dict:
    test = sum(r["test"] for r in rows)
    before = sum(r["errors_before"] for r in rows)
    after = sum(r["errors_after"] for r in rows)
    return {
        "writers": len({r["writer"] for r in rows}), "runs": len(rows), "test": test,
        "error_before": before / test, "error_after": after / test,
        "reduction": 1 - after / before if before else None,
        "mnist_test_min": min(r["mnist_test"] for r in rows),
        "mnist_test_mean": float(np.mean([r["mnist_test"] for r in rows])),
        "seconds_mean": float(np.mean([r["seconds"] for r in rows])),
        "seconds_max": max(r["seconds"] for r in rows),
        "k_used": sorted({r["k"] for r in rows}),
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="cnn-bn")
    p.add_argument("--ks", default="10,30,100")
    p.add_argument("--hard", type=int, default=5, help="hardest writers")
    p.add_argument("--ordinary", type=int, default=5, help="other writers sampled")
    p.add_argument("--min-test", type=int, default=10)
    p.add_argument("--steps", type=int, default=Recipe.steps)
    p.add_argument("--lr", type=float, default=Recipe.lr)
    p.add_argument("--mine", type=float, default=Recipe.mine)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--draws", type=int, default=3,
                   help="random draws of each writer's K digits")  # fmt: skip
    p.add_argument("--json", default=None, metavar="FILE", help="write figures")
    args = p.parse_args()
    recipe = Recipe(steps=args.steps, lr=args.lr, mine=args.mine,
                    threads=args.threads)  # fmt: skip
    mnist = load_mnist(default_mnist_dir())
    parent, _ = load_checkpoint(resolve_model(args.model))
    base = evaluate(parent, mnist.test)[1]
    classifier = Classifier.load(args.model, threads=args.threads)
    writers = unseen_writers(
        default_pen_digits(), classifier.metadata.get("training", {})
    )
    if not writers:
        raise SystemExit(f"{args.model} trained on every writer of the pen digits; "
                         "name a model that held some out (--model)")  # fmt: skip
    wrong = {w: misread(classifier, rs) for w, rs in writers.items()}
    ranked = sorted(writers, key=lambda w: (-wrong[w].sum(), w))
    hard = ranked[: args.hard]
    rest = [w for w in ranked[args.hard :] if len(writers[w]) >= 2 * args.min_test]
    ordinary = sorted(random.Random(args.seed).sample(rest, args.ordinary))
    print(f"{len(writers)} unseen writers; parent MNIST test {base:.4f}", flush=True)
    results = {"parent_mnist_test": base, "recipe": recipe.to_dict(), "runs": []}
    for k in [int(k) for k in args.ks.split(",")]:
        for group, names in (("hardest", hard), ("ordinary", ordinary)):
            if not names:
                continue
            rows = []
            for w, draw in itertools.product(names, range(args.draws)):
                seed = args.seed + draw
                row = run_one(args, recipe, mnist, writers[w], wrong[w], k, seed)
                rows.append(
                    {"writer": w, "draw": draw, "digits": len(writers[w]), **row}
                )
                print(json.dumps({"K": k, "group": group, **rows[-1]}), flush=True)
            summary = summarise(rows)
            results["runs"].append({"K": k, "group": group, **summary, "rows": rows})
            print(json.dumps({"K": k, "group": group, **summary}), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
