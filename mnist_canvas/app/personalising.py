"""Personalise… for My digits: fine-tune the current model on the collection in
a separate process (`training_run.PersonaliseRun`), holding the newest fifth of
each class back, then show before → after on those and on MNIST test and add
the new model to the Model list. Mixed into `my_digits.MyDigitsFeature`, whose
collection, view, scoring and window it uses."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from ..data import default_mnist_dir
from ..data.my_digits import held_back
from ..files import user_data_dir
from ..models.catalogue import user_models_dir
from ..models.checkpoint_file import SUFFIX

MIN_DIGITS = 10  # fewer teach a model little and leave nothing to measure


def free_name(folder: Path, stem: str) -> Path:
    """folder/stem.safetensors, or stem-2, stem-3, … when taken."""
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


def _learn_file() -> Path:
    """The digits a personalising learns from: a copy, for the child to read;
    this app's own (another instance personalising at once has its own)."""
    return user_data_dir() / f"my-digits-to-learn-{os.getpid()}.jsonl"


class Personalising:
    """The personalising half of the My digits feature."""

    def personalise(self) -> None:
        if self.run is None:
            from .training_run import PersonaliseRun

            self.run = PersonaliseRun(self)
            self.run.succeeded.connect(self._personalised)
            self.run.failed.connect(self._personalise_failed)
        if self.run.is_running():
            self.run.cancel()
            return
        entry = self.window.catalogue.get(self.window.active_model() or "")
        if entry is None or entry.path.suffix != SUFFIX:
            why = (
                ""
                if entry is None
                else (
                    f"{entry.name}: an ONNX model (the SVM, or one you imported) has "
                    "no weights to fine-tune here. "
                )
            )
            QMessageBox.information(
                self.window, "Personalise",
                f"{why}Only models trained here can be personalised: choose "
                "one in the Model list.",
            )  # fmt: skip
            return
        if not self._usable():
            return
        digits = self.collection.digits()
        if len(digits) < MIN_DIGITS:
            QMessageBox.information(
                self.window, "Personalise",
                f"Keep at least {MIN_DIGITS} of your digits first (you have "
                f"{len(digits)}): draw one, then press its key (0–9).",
            )  # fmt: skip
            return
        held = held_back([d.label for d in digits])
        learn = [i for i in range(len(digits)) if i not in set(held)]
        learn_file = _learn_file()  # its folder is made by the export
        if self._change(lambda: self.collection.export(learn_file, learn)) is None:
            return
        out = free_name(user_models_dir(), f"{entry.name}-mine")
        mnist = self.window.settings.mnist_dir(str(default_mnist_dir() or ""))
        self.pending = {
            "parent": entry.name, "held": [digits[i] for i in held],
            "learn": len(learn), "parent_mnist": entry.metrics().get(
                "mnist_test_accuracy"),
        }  # fmt: skip
        self.run.start_personalise(entry.path, learn_file, out, mnist or None)
        self._personalise_labels(running=True)
        self.view.result.setText(
            f"Personalising {entry.name} on {len(learn)} of your digits "
            f"({len(held)} held back to measure it)…"
        )

    def _personalise_labels(self, running: bool) -> None:
        """The button and the menu item say what they do now: start or cancel."""
        self.personalise_action.setText(
            "Cancel &Personalising" if running
            else "&Personalise the Model on My Digits…"
        )  # fmt: skip
        if running:
            button = self.view.personalise_button
            button.setText("Cancel Personalising")
            button.setEnabled(True)
            button.setToolTip("Stop personalising; nothing is saved")
        else:
            self.update_personalise_button()

    def update_personalise_button(self) -> None:
        """The button names the model it would teach, and is off, saying why,
        while that cannot be done (too few digits, a model with no weights)."""
        if self.run is not None and self.run.is_running():
            return  # it cancels meanwhile
        entry = self.window.catalogue.get(self.window.active_model() or "")
        count = len(self._collection) if self._collection is not None else 0
        button = self.view.personalise_button
        if entry is None:
            button.setText("Personalise…")
            why = "Choose a model in the Model list first."
        else:
            button.setText(f"Personalise {entry.name}…")
            why = None
        if entry is not None and entry.path.suffix != SUFFIX:
            why = (f"{entry.name} is an ONNX model with no weights to fine-tune "
                   "here; choose one trained here in the Model list.")  # fmt: skip
        elif entry is not None and count < MIN_DIGITS:
            why = (f"Needs at least {MIN_DIGITS} of your digits; you have {count}. "
                   "Draw one, then press its key (0–9).")  # fmt: skip
        button.setEnabled(why is None)
        button.setToolTip(why or (
            f"Teach {entry.name} your handwriting: a new model, {entry.name}-mine, "
            f"learns from four fifths of your {count} digits in the background "
            "and is measured on the rest"))  # fmt: skip

    def _personalise_ended(self) -> None:
        """The child is gone: the labels say start again, and the copy of the
        digits it learned from is removed (the collection itself stays)."""
        self._personalise_labels(running=False)
        _learn_file().unlink(missing_ok=True)

    def _personalised(self, path: str, summary: dict) -> None:
        self._personalise_ended()
        self.window.add_model(path, True)
        name = Path(path).stem
        self.pending.update(name=name, summary=summary)
        held = self.pending["held"]
        self.accuracy.submit(
            [d.drawing for d in held], [d.label for d in held],
            models=[self.pending["parent"], name], tag="held back",
        )  # fmt: skip
        self._stale = True
        self._score_if_stale()

    def _show_before_after(self, scores: dict) -> None:
        p = self.pending
        before, after = scores.get(p["parent"]), scores.get(p["name"])
        summary = p["summary"]

        def percent(value) -> str:
            return "not measured" if value is None else f"{value:.2%}"

        def right(score) -> str:  # a count: a few digits make coarse percents
            if score is None or score.accuracy is None:
                return "not measured"
            return f"{round(score.accuracy * score.n)}"

        n = len(p["held"])
        few = " (too few to tell much: keep more of each digit)" if n < 10 else ""
        self.view.result.setText(
            f"<b>{p['name']}</b> learned {p['learn']} of your digits in "
            f"{summary['seconds']:.0f} s.<br>Of the {n} held back, read right: "
            f"{right(before)} → {right(after)}{few}.<br>MNIST test: "
            f"{percent(p['parent_mnist'])} → {percent(summary['mnist_test'])}."
        )
        self.pending = None

    def _personalise_failed(self, message: str) -> None:
        self._personalise_ended()
        self.view.result.setText(message)
        self.pending = None
