"""Help ▸ Getting Started and Help ▸ Keyboard Shortcuts; Show Why sits in
View with Compare and My Digits, with a shortcut."""
# ruff: noqa: F811  (the fixtures imported from window_fixtures are used as arguments)

from window_fixtures import make_window, messages, window  # noqa: F401

from mnist_canvas.app.actions import menu
from mnist_canvas.app.help_pages import GETTING_STARTED, shortcuts_html


def test_help_has_getting_started_and_the_shortcuts(window):
    texts = [a.text() for a in menu(window, "&Help").actions()]
    assert "&Getting Started" in texts and "&Keyboard Shortcuts" in texts
    for topic in ("Draw", "Switch a step", "Compare", "Ask why", "Explore",
                  "Keep your digits"):  # fmt: skip
        assert topic in GETTING_STARTED
    listed = shortcuts_html(window)
    for keys in ("Ctrl+M", "Ctrl+Shift+M", "Ctrl+Shift+W", "Ctrl+E", "Ctrl+Z"):
        assert keys in listed, keys
    assert "Show Why" in listed and "0 … 9" in listed


def test_show_why_sits_with_compare_and_my_digits(window):
    view = {a.text(): a for a in menu(window, "&View").actions()}
    assert {"&Compare Models", "&My Digits", "Show &Why"} <= set(view)
    assert view["Show &Why"].shortcut().toString() == "Ctrl+Shift+W"
    shortcuts = [
        a.shortcut().toString() for a in window.findChildren(type(view["Show &Why"]))
    ]
    assert shortcuts.count("Ctrl+Shift+W") == 1
