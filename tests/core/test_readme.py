"""The README and docs/ send a newcomer only to what is in the repository: every link resolves to a
file of the checkout, no path leaves it, and every file the README names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
# A repository path in backquotes: `core/scoping.py`, `bench/`, `.ci/run` (not `<app>/demo.py`).
PATH = re.compile(r"^\.?[\w-]+(/[\w.-]+)*/?$")


def links(text: str) -> list[str]:
    return LINK.findall(text)


def problems(page: Path) -> list[str]:
    """What in `page` points outside the repository or at nothing."""
    text = page.read_text(encoding="utf-8")
    found = []
    for target in links(text):
        if re.match(r"^[a-z]+:", target):
            found.append(f"{target}: a link off the machine (the docs must stand alone)")
            continue
        file = target.split("#", 1)[0]
        if not file:
            continue  # an anchor on the same page
        resolved = (page.parent / file).resolve()
        if not resolved.is_relative_to(ROOT):
            found.append(f"{target}: outside the repository")
        elif not resolved.exists():
            found.append(f"{target}: no such file")
    if "../" in text:
        found.append("a ../ path: outside the repository")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_resolves_to_a_file_in_the_repository(page):
    assert not problems(page)


def test_the_readme_links_the_docs():
    targets = links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"docs/overview.md", "docs/areas.md"} <= set(targets)


def test_every_file_the_readme_names_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = {
        code.rstrip("/")
        for code in CODE.findall(text)
        if "/" in code and PATH.match(code) and not code.startswith("var/")  # var/: made by run
    }
    assert len(named) > 10  # the scan reads the README's paths
    assert not sorted(path for path in named if not (ROOT / path).exists())


def test_the_check_finds_a_link_outside_and_a_missing_file(tmp_path, monkeypatch):
    page = ROOT / "docs" / "planted.md"  # never written: read_text is patched
    text = "[design](../../shared/DESIGN.md) · [gone](docs/nowhere.md) · [ok](areas.md) · [x](https://example.org/)"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: text)
    found = problems(page)
    assert any("../../shared/DESIGN.md: outside" in p for p in found), found
    assert any("docs/nowhere.md: no such file" in p for p in found), found
    assert any("example.org" in p for p in found), found
    assert not any(p.startswith("areas.md") for p in found), found
