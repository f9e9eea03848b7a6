"""Personalising, simulated with pen-digit writers: does it fix the hardest?

    nice -n 10 python benchmarks/bench_personal.py --threads 2 --json out.json

The model (default: the app's default) reads every pen digit through the
app's path (default placement). The writers are those it never trained on
(from its metadata; an ibm person counts only when all their sessions were
held out) or, for a model that trained on every writer (the default does),
every writer: then it has seen their other digits too, and what it still
misreads are the hardest, most personal errors. Only writers with at least
K + --min-test digits take part, so that each is split into K taught digits
and the rest. The --hard writers it misreads most (ties: the least sure of
them, by mean loss) and --easy others drawn with --seed ("easy") each teach
the model K of their digits (--draws random draws of them) with the recipe
the command and the app use (`training.fine_tune.teach`), and are measured
on their other digits, before and after; then MNIST test, and the seconds
personalising took (drawing the digits and fine-tuning; loading MNIST and
testing are not counted), wall-clock and the process's CPU time (on a busy
machine the wall-clock time says more about the other programs). Needs
$MNIST_CANVAS_DATA (MNIST and the pen digits).
"""

from __future__ import annotations

import argparse
import dataclasses
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
from mnist_canvas.models.registry import DEFAULT_MODEL
from mnist_canvas.training.fine_tune import Recipe, parent_unscaled, teach
from mnist_canvas.training.fit import evaluate
from mnist_canvas.training.pen_data import never_trained_on


def writers_of(path, training: dict) -> tuple[dict[str, list], bool]:
    """(each person → their digits, whether they are people the model never
    trained on): the unseen ones if there are any (a person seen in any
    session left out), else everyone."""
    people: dict[str, list] = {}
    seen = set()
    for record in read_strokes(path):
        people.setdefault(person(record.writer), []).append(record)
        if not never_trained_on(record.writer, training):
            seen.add(person(record.writer))
    unseen = {p: records for p, records in people.items() if p not in seen}
    return (unseen, True) if unseen else (people, False)


def readings(classifier: Classifier, records: list) -> tuple[np.ndarray, np.ndarray]:
    """(misread?, loss) of each digit (default placement)."""
    probabilities = np.nan_to_num(predict_many([place(r) for r in records], classifier))
    labels = np.array([r.label for r in records])
    loss = -np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-12))
    return probabilities.argmax(1) != labels, loss


def run_one(args, recipe, mnist, records, wrong, seed):
    """Personalise on K of a writer's digits; figures on the rest."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    train, test = order[: args.k], order[args.k :]
    model, metadata = load_checkpoint(resolve_model(args.model))
    unscaled = parent_unscaled(metadata)
    start, cpu = time.perf_counter(), time.process_time()
    teach(model, [records[i] for i in train], mnist.train, recipe, unscaled)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = Classifier.from_module(model, metadata, "personal")
    return {
        "k": len(train), "test": len(test), "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),  # on a busy machine, nearer the idle time
        "errors_before": int(wrong[test].sum()),
        "errors_after": int(readings(after, [records[i] for i in test])[0].sum()),
        "mnist_test": evaluate(model, mnist.test, unscaled=unscaled)[1],
    }  # fmt: skip


def summarise(rows: list[dict], parent_mnist: float) -> dict:
    test = sum(r["test"] for r in rows)
    before = sum(r["errors_before"] for r in rows)
    after = sum(r["errors_after"] for r in rows)
    mnist = [r["mnist_test"] for r in rows]
    return {
        "writers": len({r["writer"] for r in rows}), "runs": len(rows), "test": test,
        "errors_before": before, "errors_after": after,
        "error_before": before / test, "error_after": after / test,
        "divided_by": before / after if after else None,
        "mnist_test_min": min(mnist), "mnist_test_mean": float(np.mean(mnist)),
        "mnist_cost_max": parent_mnist - min(mnist),
        "mnist_cost_mean": parent_mnist - float(np.mean(mnist)),
        "seconds_mean": float(np.mean([r["seconds"] for r in rows])),
        "seconds_max": max(r["seconds"] for r in rows),
    }  # fmt: skip


def table(results: dict) -> str:
    """The groups' summaries as a Markdown table."""
    lines = [
        "| writers | test digits | error before | error after | MNIST test after: "
        "lowest, mean (cost, points) | seconds: mean, max |",
        "|---|---|---|---|---|---|",
    ]
    for g in results["groups"]:
        lines.append(
            f"| {g['group']} ({g['writers']}, {g['runs']} runs) | {g['test']} | "
            f"{g['error_before']:.2%} ({g['errors_before']}) | "
            f"{g['error_after']:.2%} ({g['errors_after']}) | "
            f"{g['mnist_test_min']:.2%}, {g['mnist_test_mean']:.2%} "
            f"({100 * g['mnist_cost_max']:.2f}, {100 * g['mnist_cost_mean']:.2f}) | "
            f"{g['seconds_mean']:.1f}, {g['seconds_max']:.1f} |"
        )
    return "\n".join(lines)


def recipe_of(args) -> Recipe:
    """The recipe's defaults, with what the command line changed."""
    names = ("steps", "lr", "mine", "learn", "warp", "distill", "blend")
    changes = {k: getattr(args, k) for k in names if getattr(args, k) is not None}
    return dataclasses.replace(Recipe(threads=args.threads), **changes)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = p.add_argument
    # fmt: off
    add("--model", default=DEFAULT_MODEL, help="default: %(default)s")
    add("--k", type=int, default=30, help="digits taught (default: %(default)s)")
    add("--hard", type=int, default=5, help="hardest writers (default: %(default)s)")
    add("--easy", type=int, default=5,
        help="other writers, drawn with --seed (default: %(default)s)")
    add("--groups", default="hardest,easy", help="which groups to run")
    add("--min-test", type=int, default=10,
        help="digits a writer keeps to test on, at least (default: %(default)s)")
    add("--draws", type=int, default=3,
        help="random draws of each writer's K digits (default: %(default)s)")
    add("--threads", type=int, default=2, help="torch threads (default: %(default)s)")
    add("--seed", type=int, default=0)
    for name, kind in (("steps", int), ("lr", float), ("mine", float),
                       ("learn", str), ("warp", float), ("distill", float),
                       ("blend", float)):
        add(f"--{name}", type=kind, default=None, help="default: the recipe's")
    add("--json", default=None, metavar="FILE", help="write figures")
    # fmt: on
    return p.parse_args()


def main() -> None:
    args = parse()
    recipe = recipe_of(args)
    mnist = load_mnist(default_mnist_dir())
    parent, metadata = load_checkpoint(resolve_model(args.model))
    base = evaluate(parent, mnist.test, unscaled=parent_unscaled(metadata))[1]
    classifier = Classifier.load(args.model, threads=args.threads)
    writers, unseen = writers_of(
        default_pen_digits(), classifier.metadata.get("training", {})
    )
    writers = {w: rs for w, rs in writers.items() if len(rs) >= args.k + args.min_test}
    read = {w: readings(classifier, rs) for w, rs in writers.items()}
    ranked = sorted(writers, key=lambda w: (-read[w][0].sum(), -read[w][1].mean(), w))
    hard = ranked[: args.hard]
    easy = sorted(random.Random(args.seed).sample(ranked[args.hard :], args.easy))
    who = "never trained on" if unseen else "all trained on (it saw every writer)"
    print(f"{len(writers)} writers with ≥ {args.k + args.min_test} digits, {who}; "
          f"parent MNIST test {base:.4f}; hardest {hard}; easy {easy}",
          flush=True)  # fmt: skip
    results = {"model": args.model, "parent_mnist_test": base, "unseen": unseen,
               "k": args.k, "recipe": recipe.to_dict(), "groups": []}  # fmt: skip
    for group, names in (("hardest", hard), ("easy", easy)):
        if group not in args.groups.split(",") or not names:
            continue
        rows = []
        for w, draw in itertools.product(names, range(args.draws)):
            row = run_one(args, recipe, mnist, writers[w], read[w][0], args.seed + draw)
            rows.append({"writer": w, "draw": draw, "digits": len(writers[w]), **row})
            print(json.dumps({"group": group, **rows[-1]}), flush=True)
        summary = {"group": group, **summarise(rows, base)}
        results["groups"].append({**summary, "rows": rows})
        print(json.dumps(summary), flush=True)
    print(table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
