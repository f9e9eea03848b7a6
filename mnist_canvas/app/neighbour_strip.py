"""The training digits the model thinks this one resembles, as a strip.

Each button shows one MNIST training digit with its label and distance;
clicking it emits its training index (the window opens it on the canvas).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .images import gray_image

K = 8
ICON = 56
COLUMNS = 4


class NeighbourStrip(QWidget):
    chosen = Signal(int)  # MNIST training index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.indices: list[int] = []
        self.title = QLabel("Nearest training digits")
        self.title.setWordWrap(True)
        # A slim bar: it stays while the index grows behind neighbours already
        # shown, and must not push the probes out of a 768-px screen.
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setToolTip("Reading MNIST's training digits through the model")
        self.progress.hide()
        row = QGridLayout()
        self.buttons = []
        for slot in range(K):
            button = QToolButton()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(QSize(ICON, ICON))
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, s=slot: self._clicked(s))
            # Their room is kept while hidden: the dock does not jump when
            # they arrive (a click meant for a probe landed elsewhere).
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
            button.setMinimumSize(ICON + 16, ICON + 26)
            button.hide()
            row.addWidget(button, slot // COLUMNS, slot % COLUMNS)
            self.buttons.append(button)
        row.setColumnStretch(COLUMNS, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.progress)
        layout.addLayout(row)

    def show_neighbours(
        self, neighbours, images: np.ndarray, space: str,
        searched: int | None = None, total: int | None = None,
    ) -> None:  # fmt: skip
        """`Neighbour`s (nearest first) and the training images they index;
        found among the first `searched` of `total` training digits while the
        model's index still grows (the progress bar then stays)."""
        growing = searched is not None and total is not None and searched < total
        if not growing:
            self.progress.hide()
        self.indices = [n.index for n in neighbours]
        labels = [n.label for n in neighbours]
        where = "its features" if space == "features" else "pixels"
        among = (
            f", among the {searched:,} of {total:,} read so far (more coming)"
            if growing
            else ""
        )
        self.title.setText(
            f"Nearest training digits (in {where}{among}): "
            + " ".join(str(label) for label in labels)
            + ". Click one to draw on it."
        )
        for button, near in zip(self.buttons, neighbours, strict=False):
            image = gray_image(images[near.index].astype(np.float32), 0, 255)
            # 28 px scaled to the icon's 56 (an icon is never drawn larger
            # than its pixmap: they showed at 28 px).
            pixmap = QPixmap.fromImage(image).scaled(ICON, ICON)
            button.setIcon(QIcon(pixmap))
            button.setText(f"{near.label} · {near.distance:.2f}")
            button.setToolTip(
                f"MNIST training digit {near.index}, labelled {near.label}; "
                f"distance {near.distance:.2f} in {where} (0: the same; the "
                "smaller, the more alike)"
            )
            button.show()
        for button in self.buttons[len(neighbours) :]:
            button.hide()

    def show_progress(self, done: int, total: int) -> None:
        if not self.indices:  # neighbours found so far keep their title
            self.title.setText(
                "Nearest training digits: reading MNIST through the model, "
                f"{done / max(total, 1):.0%}"
            )
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.show()

    def show_message(self, text: str) -> None:
        self.progress.hide()
        self.indices = []
        self.title.setText(text)
        for button in self.buttons:
            button.hide()

    def _clicked(self, slot: int) -> None:
        if slot < len(self.indices):
            self.chosen.emit(self.indices[slot])
