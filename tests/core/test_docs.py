"""The front door stays short and every page behind it can be found."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _links(page: Path) -> list[Path]:
    text = page.read_text(encoding="utf-8")
    return [
        (page.parent / target).resolve()
        for target in LINK.findall(text)
        if "://" not in target
    ]


def test_the_readme_is_a_front_door_of_at_most_200_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_every_docs_page_is_linked_from_the_readme():
    linked = set(_links(ROOT / "README.md"))
    pages = {p.resolve() for p in (ROOT / "docs").glob("*.md")}
    assert pages, "docs/ has no pages"
    assert pages <= linked, sorted(p.name for p in pages - linked)


def test_every_relative_link_and_picture_exists():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        missing = [str(t) for t in _links(page) if not t.exists()]
        assert not missing, (page.name, missing)
