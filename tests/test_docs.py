"""The README and docs/: short front page, links that lead somewhere, settings all documented."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [
    ROOT / "README.md",
    ROOT / "content" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`+[^`\n]*`+")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def prose(text: str) -> str:
    """The Markdown without code blocks and code spans (links and headings there are text)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, -1 for repeats."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(f"{slug}-{count}" if count else slug)
    return found


def test_readme_is_a_front_page():
    text = (ROOT / "README.md").read_text()
    assert "make run" in text and "make test" in text
    assert len(text.splitlines()) <= 150


def test_docs_folder_has_an_index_listing_every_document():
    index = (ROOT / "docs" / "README.md").read_text()
    for path in DOCS:
        if path.is_relative_to(ROOT / "docs") and path.name != "README.md":
            assert f"({path.relative_to(ROOT / 'docs').as_posix()})" in index, path


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_a_file_and_heading(path):
    broken = []
    for target in LINK.findall(prose(path.read_text())):
        if re.match(r"[a-z]+:", target) or target.startswith("/"):
            continue  # another site, or a page of this site
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment}")
    assert not broken, broken


def test_every_setting_in_env_example_is_documented():
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    assert names, "no settings found in .env.example"
    assert [name for name in names if f"`{name}`" not in deployment] == []
