"""The pipeline strip shows the active model's own steps, and says when not.

A model may expect other steps than the default recipe: `cause-unscaled` was
trained on 0–255 values, so its Scale and Normalise are off. When another
model is chosen, the strip switches to that model's steps, keeping whatever
the user had switched away from the previous model's: switching Scale on for
`cause-unscaled` then shows what feeding it 0–1 values does. The settings keep
those departures, not the switches themselves, so that a model gone since
(an unscaled user model deleted) leaves no steps switched off by surprise.

Whatever the switches' origin (a click, the last session, another model), the
note above the reading names every step that departs from the model's own,
with one click back; a cause model says what it carries; a switch the model
cannot use (its values come from its own convention) is disabled, with why.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from ..models.classifier import departures, expected_steps
from ..models.convention import VALUE_STEPS, Convention, ConventionError
from ..pipeline.steps import model_values
from .steps_note import in_words

HEADING = "Preprocessing: switch a step off to see what it prevents"


def unusable_switches(metadata: dict) -> dict[str, str]:
    """Step → why this model cannot use its switch (a model with a convention
    gets 0–1 values from the pipeline, turned into its own range)."""
    data = metadata.get("convention")
    if not isinstance(data, dict):
        return {}
    try:
        wants = Convention.from_dict(data).describe()
    except (ConventionError, TypeError, ValueError):
        wants = "its own kind of input"
    why = (f"Not used by this model: it {wants}, and the app turns the 0–1 "
           "picture into that itself, whatever this switch says")  # fmt: skip
    return dict.fromkeys(VALUE_STEPS, why)


def carries(name: str, metadata: dict, steps: dict[str, bool]) -> str:
    """What a cause model carries and which steps it changed ('' for others)."""
    description = metadata.get("description")
    if not name.startswith("cause-") or not isinstance(description, str):
        return ""
    text = f"{name} carries a cause of misreading: {description.rstrip('.')}."
    off = [step for step, on in steps.items() if not on]
    if off:  # the strip's heading says the rest (what switching one does)
        text += f" Trained without {in_words(off)}."
    return text


def expected_range(steps: dict[str, bool]) -> tuple[float, float]:
    """The values a model trained with these steps was fed: grey levels
    0–255, scaled and normalised as its steps say."""
    low, high = (model_values(v, steps["scale"], steps["normalize"]) for v in (0, 255))
    return float(low), float(high)


def outside(values, expected: tuple[float, float] | None) -> str | None:
    """In words, how far `values` stray beyond `expected` (None: within it,
    give or take 5 % of its width)."""
    if expected is None or values is None:
        return None
    low, high = expected
    slack = 0.05 * (high - low)
    least, most = float(values.min()), float(values.max())
    if least >= low - slack and most <= high + slack:
        return None
    return (f"its input has values {least:.3g}…{most:.3g} where it expects "
            f"{low:.3g}…{high:.3g}")  # fmt: skip


def heading(steps: dict[str, bool]) -> str:
    off = [step for step, on in steps.items() if not on]
    if not off:
        return HEADING
    # Short: a heading does not wrap, and a long one widens the window's
    # middle at the expense of a docked view.
    return f"Preprocessing as this model was trained ({in_words(off)} off)"


class ModelRecipe:
    def __init__(self, window: QMainWindow):
        self.window = window
        self.model = window.active_model()
        self.expected: tuple[float, float] | None = None
        saved = window.settings.switches()  # departures from the model's steps
        window.strip.set_switches({**self.steps(self.model), **saved})
        window.strip.switchesChanged.connect(self._save)
        window.model_picker.modelChosen.connect(self.follow)
        window.steps_note.restoreClicked.connect(self.use_model_steps)
        self._describe()

    def _save(self, switches: dict[str, bool]) -> None:
        self.window.settings.set_switches(departures(self.steps(self.model), switches))
        self._describe()

    def metadata(self, name: str | None) -> dict:
        entry = self.window.catalogue.get(name or "")
        return dict(entry.metadata) if entry and entry.usable else {}

    def steps(self, name: str | None) -> dict[str, bool]:
        return expected_steps(self.metadata(name))

    def changed(self) -> dict[str, bool]:
        """The switches that depart from the active model's own steps (a
        switch the model cannot use departs from nothing)."""
        unusable = unusable_switches(self.metadata(self.model))
        found = departures(self.steps(self.model), self.window.strip.switches())
        return {k: on for k, on in found.items() if k not in unusable}

    def follow(self, name: str) -> None:
        """Show `name`'s steps, with the user's departures from the last model's."""
        if name == self.model:
            return
        changed = departures(self.steps(self.model), self.window.strip.switches())
        self.model = name
        self.window.strip.set_switches({**self.steps(name), **changed})
        self._describe()
        told = carries(name, self.metadata(name), self.steps(name))
        if told:
            self.window.statusBar().showMessage(told, 10_000)

    def use_model_steps(self) -> None:
        self.window.strip.set_switches(self.steps(self.model))

    def _describe(self) -> None:
        window, name = self.window, self.model or ""
        metadata, steps = self.metadata(name), self.steps(name)
        window.strip.set_unusable(unusable_switches(metadata))
        window.steps_note.show_departures(name, self.changed())
        window.steps_note.show_carries(carries(name, metadata, steps))
        window.strip_box.setTitle(heading(steps))
        unusable = unusable_switches(metadata)
        self.expected = None if unusable else expected_range(steps)

    def outside(self, values) -> str | None:
        """How the model's input strays from what it expects, in words."""
        return outside(values, self.expected)


def install(window: QMainWindow) -> None:
    window.model_recipe = ModelRecipe(window)
