"""The note above the reading: which steps differ from the model's own, in
words, with one click back to them; and what a cause model carries.

A reading made with a step switched off may be wrong because of the switch,
not the model: the note says so wherever the switches came from (a click, a
restart that kept them, another model's departures).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..pipeline.steps import STEPS

LABELS = {step.name: step.label for step in STEPS}
WARN_STYLE = "background: #fff3cd; color: #5c4400; border-radius: 4px; padding: 4px;"
INFO_STYLE = "background: #e3eefc; color: #173a6a; border-radius: 4px; padding: 4px;"


def in_words(names: list[str]) -> str:
    """['invert', 'scale'] → 'Invert and Scale to [0, 1]'."""
    labels = [LABELS.get(name, name) for name in names]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def departures_text(model: str, changed: dict[str, bool]) -> str:
    """'Invert is off, but cnn expects it on: …' ('' when none)."""
    off = [name for name, on in changed.items() if not on]
    on = [name for name, on in changed.items() if on]
    parts = []
    if off:
        verb = "is" if len(off) == 1 else "are"
        parts.append(f"{in_words(off)} {verb} switched off")
    if on:
        verb = "is" if len(on) == 1 else "are"
        parts.append(f"{in_words(on)} {verb} switched on")
    if not parts:
        return ""
    return f"Not {model}'s own steps: {' and '.join(parts)}."


class StepsNote(QWidget):
    """Hidden while the switches are the model's own and it carries nothing
    worth saying; `restoreClicked` asks for the model's own steps."""

    restoreClicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.departures = QLabel()
        self.departures.setWordWrap(True)
        self.departures.setToolTip(
            "The reading below shows what the switched steps do, not how the "
            "model reads a digit prepared its own way."
        )
        self.restore = QPushButton("Use the Model's Steps")
        self.restore.setToolTip("Switch every step as this model was trained")
        self.restore.clicked.connect(self.restoreClicked)
        self.warning = QWidget()
        self.warning.setObjectName("stepsWarning")
        self.warning.setStyleSheet(f"#stepsWarning {{{WARN_STYLE}}}")
        # Text above the button: beside a docked view the column is narrow, and
        # the words need its whole width to stay short.
        row = QVBoxLayout(self.warning)
        row.setContentsMargins(6, 4, 6, 4)
        row.setSpacing(2)
        row.addWidget(self.departures)
        row.addWidget(self.restore, 0, Qt.AlignmentFlag.AlignRight)
        self.carries = QLabel()
        self.carries.setWordWrap(True)
        self.carries.setStyleSheet(f"QLabel {{{INFO_STYLE}}}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.carries)
        layout.addWidget(self.warning)
        self.show_departures("", {})
        self.show_carries("")

    def show_departures(self, model: str, changed: dict[str, bool]) -> None:
        text = departures_text(model, changed)
        self.departures.setText(text)
        self.warning.setVisible(bool(text))
        self._update()

    def show_carries(self, text: str) -> None:
        self.carries.setText(text)
        self._update()

    def _update(self) -> None:
        # One note at a time, the warning first: two stacked pushed the last
        # bars out of a 768-px screen beside a docked view. What a cause model
        # carries stays in the warning's tooltip (and the status bar).
        warning = bool(self.departures.text())
        self.carries.setVisible(bool(self.carries.text()) and not warning)
        self.warning.setToolTip(self.carries.text() if warning else "")
        self.setVisible(warning or bool(self.carries.text()))
