"""The pipeline strip: a thumbnail of every stage, each with its on/off switch."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..pipeline.steps import STEPS
from .images import display_range, gray_image

THUMB = 72
# Room every caption has from the start: a stage's size and range at their
# usual widest, so a caption that changes does not move the tiles (and the
# switch under the pointer) sideways. A wider one widens its tile for good.
CAPTION_ROOM = "000×000 · 0…255"
REPAINT_MS = 40  # 25 thumbnail updates a second keep up with any hand


class _StageTile(QWidget):
    def __init__(self, title: str, tooltip: str, switchable: bool, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.image = QLabel()
        self.image.setFixedSize(QSize(THUMB, THUMB))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Neutral grey around non-square stages, whichever the ink polarity
        # (by name: a plain QLabel rule reached the tooltip, black on grey).
        self.image.setObjectName("stage")
        self.image.setStyleSheet(
            "#stage { background: #808080; border: 1px solid #666; }"
        )
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet("color: palette(window-text);")
        font = self.caption.font()
        font.setPixelSize(10)
        self.caption.setFont(font)
        self.caption.setText(CAPTION_ROOM)
        self.caption.setMinimumWidth(self.caption.sizeHint().width())
        self.caption.setText("")
        self.switch = QCheckBox(title)
        self.switch.setChecked(True)
        self.switch.setEnabled(switchable)
        self.switch.setToolTip(tooltip)
        self.help = tooltip
        self.image.setToolTip(tooltip)
        layout.addWidget(self.image)
        layout.addWidget(self.switch, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)

    def set_unusable(self, reason: str | None) -> None:
        """Disable the switch, saying why (None: usable again)."""
        self.switch.setEnabled(reason is None)
        self.switch.setToolTip(self.help if reason is None else reason)

    def show_stage(self, stage) -> None:
        if stage is None:
            self.image.clear()
            self.caption.setText("")
            return
        low, high = display_range(stage.pixels)
        pixmap = QPixmap.fromImage(gray_image(stage.pixels, low, high))
        h, w = stage.pixels.shape
        mode = (
            Qt.TransformationMode.FastTransformation
            if max(h, w) <= 40
            else Qt.TransformationMode.SmoothTransformation
        )
        self.image.setPixmap(
            pixmap.scaled(
                THUMB - 4, THUMB - 4, Qt.AspectRatioMode.KeepAspectRatio, mode
            )
        )
        # The canvas stage is the drawing rendered for the steps (140×140 of
        # a 280×280 page, say), not the page: its caption says so.
        size = f"render {w}×{h}" if stage.name == "canvas" else f"{w}×{h}"
        self.caption.setText(
            f"{size} · {stage.pixels.min():.3g}…{stage.pixels.max():.3g}"
        )
        need = self.caption.sizeHint().width()
        if need > self.caption.minimumWidth():  # grows, never shrinks back
            self.caption.setMinimumWidth(need)


class PipelineStrip(QWidget):
    """Emits `switchesChanged(dict)` when a step is switched on or off."""

    switchesChanged = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tiles = {"canvas": _StageTile("Canvas", "The drawing as rendered", False)}
        for step in STEPS:
            self.tiles[step.name] = _StageTile(step.label, step.help, True)
            self.tiles[step.name].switch.toggled.connect(self._emit)
        for tile in self.tiles.values():
            layout.addWidget(tile)
        layout.addStretch(1)
        self._pending = ()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self._repaint_tiles)

    def switches(self) -> dict[str, bool]:
        return {s.name: self.tiles[s.name].switch.isChecked() for s in STEPS}

    def set_switches(self, switches: dict[str, bool]) -> None:
        """Switch the steps named; `switchesChanged` only if one changed."""
        before = self.switches()
        for name, on in switches.items():
            if name in self.tiles:
                tile = self.tiles[name].switch
                tile.blockSignals(True)
                tile.setChecked(bool(on))
                tile.blockSignals(False)
        if self.switches() != before:
            self._emit()

    def set_unusable(self, reasons: dict[str, str]) -> None:
        """Disable the switches of steps the model cannot use, each with why."""
        for step in STEPS:
            self.tiles[step.name].set_unusable(reasons.get(step.name))

    def show_stages(self, stages) -> None:
        """Show these stages soon: nine thumbnails cost ~5 ms of the GUI thread,
        so while drawing they are redrawn at most every REPAINT_MS, newest only."""
        self._pending = stages
        if not self._timer.isActive():
            self._timer.start()

    def _repaint_tiles(self) -> None:
        by_name = {stage.name: stage for stage in self._pending}
        for name, tile in self.tiles.items():
            tile.show_stage(by_name.get(name))

    def _emit(self) -> None:
        self.switchesChanged.emit(self.switches())
