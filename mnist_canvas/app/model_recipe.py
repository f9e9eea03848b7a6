"""The pipeline strip shows the active model's own steps.

A model may expect other steps than the default recipe: `cause-unscaled` was
trained on 0–255 values, so its Scale and Normalise are off. When another
model is chosen, the strip switches to that model's steps, keeping whatever
the user had switched away from the previous model's: switching Scale on for
`cause-unscaled` then shows what feeding it 0–1 values does. The settings keep
those departures, not the switches themselves, so that a model gone since
(an unscaled user model deleted) leaves no steps switched off by surprise.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from ..models.classifier import departures, expected_steps


class ModelRecipe:
    def __init__(self, window: QMainWindow):
        self.window = window
        self.model = window.active_model()
        saved = window.settings.switches()  # departures from the model's steps
        window.strip.set_switches({**self.steps(self.model), **saved})
        window.strip.switchesChanged.connect(self._save)
        window.model_picker.modelChosen.connect(self.follow)

    def _save(self, switches: dict[str, bool]) -> None:
        self.window.settings.set_switches(departures(self.steps(self.model), switches))

    def steps(self, name: str | None) -> dict[str, bool]:
        entry = self.window.catalogue.get(name or "")
        return expected_steps(entry.metadata if entry and entry.usable else {})

    def follow(self, name: str) -> None:
        """Show `name`'s steps, with the user's departures from the last model's."""
        if name == self.model:
            return
        changed = departures(self.steps(self.model), self.window.strip.switches())
        self.model = name
        self.window.strip.set_switches({**self.steps(name), **changed})


def install(window: QMainWindow) -> None:
    window.model_recipe = ModelRecipe(window)
