"""Help ▸ Getting Started (F1) and Help ▸ Keyboard Shortcuts: two short pages
inside the app. The shortcuts are read from the window's own actions, so the
list is never out of date."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QTextBrowser,
    QVBoxLayout,
)

from .actions import menu

GETTING_STARTED = """
<h2>Getting started</h2>
<p><b>Draw</b> a digit on the white page with the mouse or a pen. The big
number beside it is what the model reads, its bars the ten probabilities. Green
means sure; amber fairly sure; grey unsure; red: the model got input it was
never trained on, so do not trust the reading. Right-drag erases a stroke.</p>
<p><b>Switch a step.</b> The strip below shows each preprocessing step, from
your drawing to the model's 28×28 input (the <i>Model's eye</i>). Untick one
to see what it prevents. A yellow note above the reading then names the steps
that differ from the model's own; <i>Use the Model's Steps</i> puts them back.
</p>
<p><b>Compare</b> (View ▸ Compare Models, Ctrl+M): every model reads your
drawing, one row each, on the right.</p>
<p><b>Ask why</b> (View ▸ Show Why, Ctrl+Shift+W): which pixels decided the
reading, the training digits the model finds most alike (click one to draw on
it), and what-if sliders with a sweep that shows where the answer flips.</p>
<p><b>Explore</b> (Diagnose ▸ Explore Misreadings, Ctrl+E): a whole data set's
confusion matrix; click a red cell, then a digit, to open it on the canvas.</p>
<p><b>Keep your digits</b>: press a digit key (0–9) to keep the drawing with
that label. View ▸ My Digits (Ctrl+Shift+M) shows them and how each model reads
them; Training ▸ Personalise teaches a model your hand.</p>
<p><b>Models</b>: pick one in the toolbar. The <i>cause-</i> models each carry
one cause of misreading on purpose; Training ▸ Train a Model makes your own,
File ▸ Import Model brings one from elsewhere.</p>
"""


def shortcuts_html(window: QMainWindow) -> str:
    """Every action of the window with a shortcut, menu by menu."""
    rows, seen = [], set()
    for top in window.menuBar().actions():
        if top.menu() is None:
            continue
        for action in top.menu().actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.text():
                seen.add(id(action))
                rows.append((top.text(), action.text(), keys))
    keep = [
        a for a in window.actions() if id(a) not in seen and not a.shortcut().isEmpty()
    ]
    if keep:
        rows.append(("", "Keep the drawing as that digit", "0 … 9"))
    cells = "".join(
        f"<tr><td>{escape(m.replace('&', ''))}</td>"
        f"<td>{escape(t.replace('&', ''))}</td><td><b>{escape(k)}</b></td></tr>"
        for m, t, k in rows
    )
    return (
        "<h2>Keyboard shortcuts</h2><table cellpadding='3'>"
        "<tr><th align='left'>Menu</th><th align='left'>Command</th>"
        f"<th align='left'>Keys</th></tr>{cells}</table>"
        "<p>In the explorer: Esc or Ctrl+W closes it.</p>"
    )


def show_page(window: QMainWindow, title: str, html: str) -> QDialog:
    dialog = QDialog(window)
    dialog.setWindowTitle(title)
    text = QTextBrowser()
    text.setHtml(html)
    text.setOpenExternalLinks(False)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(560, 520)
    dialog.show()
    return dialog


def install(window: QMainWindow) -> None:
    help_menu = menu(window, "&Help")
    first = help_menu.actions()[0] if help_menu.actions() else None
    start = QAction("&Getting Started", window)
    start.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    start.triggered.connect(
        lambda: show_page(window, "Getting started", GETTING_STARTED)
    )
    keys = QAction("&Keyboard Shortcuts", window)
    keys.triggered.connect(
        lambda: show_page(window, "Keyboard shortcuts", shortcuts_html(window))
    )
    help_menu.insertActions(first, [start, keys])
    help_menu.insertSeparator(first)
