"""The smaller causes from issue 16, each pinned by a test that failed before its fix."""

import re

import pytest

from glossary.models import GlossaryTerm
from tests.factories import (
    PROCEDURE_BODY,
    make_procedure,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- 1. a definition with < or & is escaped once in the pop-up ---------------------


def popover(html: str, slug: str) -> str:
    found = re.search(rf'<span class="gloss-pop" id="g-{slug}" popover>(.*?)</span>', html)
    assert found, html
    return found.group(1)


def test_a_definition_with_less_than_and_ampersand_is_escaped_once_in_the_popover():
    make_term(term="Zappo", slug="zappo", definition='A dose of < 5 mg & a "small" needle.')
    page = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    pop = popover(page.body_html, "zappo")
    assert "A dose of &lt; 5 mg &amp; a &quot;small&quot; needle." in pop
    assert "&amp;lt;" not in pop and "&amp;amp;" not in pop and "&amp;quot;" not in pop


def test_glossary_entries_hold_plain_text_not_html_entities():
    make_term(term="Zappo", slug="zappo", definition="Fish & chips <b>bold</b>.")
    (entry,) = GlossaryTerm.objects.entries()
    assert entry.definition == "Fish & chips bold."
