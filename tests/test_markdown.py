"""The Markdown pipeline: rendered once on save, sanitized, structured."""

import re

import pytest

from core import markdown
from tests.factories import PROCEDURE_BODY, make_faq, make_procedure, make_term

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="color:red" onclick="alert(1)">x</p>',
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "# Heading {: onclick=alert(1) }",
    '<div onmouseover="alert(1)">hover</div>',
    '<object data="x.swf"></object>',
    '<form action="https://example.org"><input name=a></form>',
]
FORBIDDEN = ["<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "data:",
             "<iframe", "<style", "style=", "<svg", "<object", "<form", "<input"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_sanitized(text):
    html = markdown.render(f"Intro\n\n{text}\n\nOutro").html.lower()
    tags = " ".join(re.findall(r"<[^>]*>", html))  # what a browser would act on
    for bad in FORBIDDEN:
        assert bad not in tags, (bad, html)
    assert "outro" in html


def test_allowed_markup_survives():
    html = markdown.render(
        "## Section one\n\nSome *emphasis* and **strong** and a [link](/faq/) and "
        "[call](tel:+1-555-0100).\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n"
    ).html
    assert '<h2 id="section-one">Section one</h2>' in html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert 'href="/faq/"' in html and 'href="tel:+1-555-0100"' in html
    assert "<table>" in html and "<li>one</li>" in html


def test_sections_contents_and_care_cards():
    rendered = markdown.render(PROCEDURE_BODY)
    assert [item["id"] for item in rendered.toc][:2] == ["at-a-glance", "what-it-is"]
    assert rendered.html.count('<section class="page-section') == 10
    for level in ("emergency", "today", "followup"):
        assert f"care-card--{level}" in rendered.html
    # The level is written in words too, so meaning does not rely on colour.
    assert "Emergency" in rendered.html and "Not urgent" in rendered.html


def test_glossary_links_first_use_only_and_not_in_headings():
    entry = markdown.GlossaryEntry("fluoroscopy", ("Fluoroscopy",), "A live X-ray.", "/glossary/#f")
    html = markdown.render(
        "## Fluoroscopy\n\nThe doctor uses fluoroscopy. Later, fluoroscopy again.",
        [entry],
    ).html
    assert html.count('class="gloss"') == 1
    assert '<h2 id="fluoroscopy">Fluoroscopy</h2>' in html
    assert 'popovertarget="g-fluoroscopy"' in html and "A live X-ray." in html


def test_glossary_definition_is_escaped():
    entry = markdown.GlossaryEntry("x", ("widget",), '<b onclick="x">bold</b>', "/glossary/#x")
    html = markdown.render("A widget here.", [entry]).html
    assert "<b onclick" not in html and "&lt;b onclick" in html


@pytest.mark.django_db
def test_rendered_once_on_save_and_sanitized():
    procedure = make_procedure(body=PROCEDURE_BODY + "\n<script>alert(1)</script>\n")
    assert "<script" not in procedure.body_html
    assert procedure.toc and procedure.reading_grade is not None
    faq = make_faq(answer="Call [us](javascript:alert(1)).")
    assert "javascript:" not in faq.answer_html


@pytest.mark.django_db
def test_glossary_change_rerenders_pages():
    procedure = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    assert 'class="gloss"' not in procedure.body_html
    make_term(term="Zappo", slug="zappo", definition="A made-up word.")
    procedure.refresh_from_db()
    assert 'popovertarget="g-zappo"' in procedure.body_html
