"""The model picker: the catalogue's usable models, one of them chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QMainWindow, QMessageBox

from ..models.catalogue import Catalogue

ASSUMED = (
    "convention assumed, not measured (imported without MNIST): "
    "File ▸ Measure Model's Convention… measures it"
)


class ModelPicker(QComboBox):
    """Offers the usable models; a model that turns out broken is taken out
    without the list sliding on to the next one (that one may be broken too)."""

    modelChosen = Signal(str)  # the name the user (or a restore) chose

    def __init__(self, catalogue: Catalogue, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.setToolTip("The model that reads your drawing")
        # One width, whatever is chosen or added (it grew with each longer
        # name and moved the tool bar); the list itself shows names whole.
        self.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.setMinimumContentsLength(20)
        self.currentIndexChanged.connect(self._chosen)
        self.refresh()

    def current(self) -> str | None:
        return self.currentText() or None

    def refresh(self) -> None:
        """Show the catalogue's usable models by group, each group under a
        heading that cannot be chosen, keeping the choice if it still is."""
        keep = self.current()
        self.blockSignals(True)
        self.clear()
        default = self.catalogue.default()
        for group, names in grouped(self.catalogue).items():
            self.addItem(group)
            heading = self.model().item(self.count() - 1)
            heading.setEnabled(False)
            heading.setSelectable(False)
            for name in names:
                self._add(name, name == default)
        self.blockSignals(False)
        self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + 24)
        self._update_tooltip()
        self.choose(keep)

    def _add(self, name: str, default: bool) -> None:
        entry = self.catalogue.get(name)
        self.addItem(name, str(entry.path))
        tip = entry.description or ""
        if default:  # the default in bold, and said
            font = self.font()
            font.setBold(True)
            self.setItemData(self.count() - 1, font, Qt.ItemDataRole.FontRole)
            tip = f"The default model. {tip}".strip()
        if entry.convention_assumed:  # in italics, and said why
            tip = f"{tip}\n\n{ASSUMED}".strip()
            font = self.font()
            font.setItalic(True)
            self.setItemData(self.count() - 1, font, Qt.ItemDataRole.FontRole)
        if tip:
            self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)

    def names(self) -> list[str]:
        """The models offered, in order (no headings)."""
        items = (self.model().item(i) for i in range(self.count()))
        return [item.text() for item in items if item.isEnabled()]

    def choose(self, name: str | None) -> None:
        """Select `name`, or the catalogue's default when it is not offered."""
        index = self.findText(name) if name else -1
        if index < 0:
            default = self.catalogue.default()
            index = self.findText(default) if default else -1
        if index != self.currentIndex():
            self.setCurrentIndex(index)  # emits modelChosen
        elif index >= 0 and name != self.itemText(index):
            self.modelChosen.emit(self.itemText(index))

    def _chosen(self, index: int) -> None:
        self._update_tooltip()
        if index >= 0:
            self.modelChosen.emit(self.itemText(index))

    def _update_tooltip(self) -> None:
        unusable = self.catalogue.unusable()
        tip = "The model that reads your drawing"
        current = self.catalogue.get(self.current() or "")
        if current is not None and current.description:
            tip += f"\n\n{current.name}: {current.description}"
        if current is not None and current.convention_assumed:
            tip += f"\n\n{current.name}: {ASSUMED}"
        if unusable:
            lines = "\n".join(f"• {reason}" for reason in unusable.values())
            tip += f"\n\nUnusable model files:\n{lines}"
        self.setToolTip(tip)


GROUPS = ("Ours (bold: the default)", "Cause models: one cause of misreading each",
          "Trained by me", "Imported")  # fmt: skip


def grouped(catalogue: Catalogue) -> dict[str, list[str]]:
    """The usable models by group, in the catalogue's order; groups with none
    are left out."""
    groups: dict[str, list[str]] = {group: [] for group in GROUPS}
    for name, path in catalogue.usable().items():
        entry = catalogue.get(name)
        if entry.shipped:
            group = GROUPS[1] if name.startswith("cause-") else GROUPS[0]
        else:
            group = GROUPS[3] if str(path).endswith(".onnx") else GROUPS[2]
        groups[group].append(name)
    return {group: names for group, names in groups.items() if names}


def warn_broken(window: QMainWindow, broken: dict[str, str]) -> None:
    """Say that models which failed while running were taken out of the list."""
    names = ", ".join(broken)
    window.statusBar().showMessage(f"Model(s) {names} cannot be used: see Model")
    lines = "\n".join(f"• {message}" for message in broken.values())
    QMessageBox.warning(
        window,
        "Model cannot be used",
        f"{lines}\n\nThe other models are still available in the Model list.",
    )


def warn_unusable(
    window: QMainWindow, unusable: dict[str, str], available: list[str]
) -> None:
    """Say which model files cannot be used and why."""
    window.statusBar().showMessage(
        f"{len(unusable)} model file(s) cannot be used: see Model's tooltip"
    )
    lines = "\n".join(f"• {message}" for message in unusable.values())
    names = ", ".join(available) or "none"
    QMessageBox.warning(
        window, "Some models cannot be used", f"{lines}\n\nAvailable models: {names}."
    )
