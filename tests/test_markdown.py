"""The Markdown pipeline: rendered once on save, sanitized, structured."""

import re
import time

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


# --- limits: text the renderer must not be given (issue 16) -------------------------

TOO_COMPLEX = {
    # 2 KB of nested list markers raised RecursionError (a 500 in the preview and on save).
    "nested list markers": ("1. " * 1000, 1, "nested 1000 levels deep"),
    "nested quotes after a paragraph": ("Intro\n\n" + "> " * 20 + "x", 3, "nested 20 levels"),
    "indented lists": ("\n".join("    " * i + "- x" for i in range(12)), 11, "nested 11"),
    # 27 KB of unclosed '[' kept a worker busy for minutes (quadratic parsing).
    "unclosed square brackets": ("[" * 27_000, 1, "square brackets '[' are open"),
    "unclosed round brackets after links": ("[a](" * 7_000, 1, "round brackets '(' are open"),
    "too long": ("word " * 10_001, 1, "50,005 characters long"),
    "a long block of headings": ("## a\n" * 300, 201, "without a blank line"),
    "raw HTML tags": ("<ul>" * 600, 1, "more than 500 HTML tags"),
    "line numbers count CRLF lines once": ("a\r\nb\r\n\r\n" + "* " * 11 + "x", 4, "nested 11"),
}


@pytest.mark.parametrize("name", TOO_COMPLEX)
def test_too_complex_markdown_is_refused_with_its_line(name):
    text, line, phrase = TOO_COMPLEX[name]
    with pytest.raises(markdown.MarkdownTooComplex) as refused:
        markdown.check_limits(text)
    assert refused.value.line == line
    assert phrase in refused.value.message
    assert str(refused.value).startswith(f"Line {line}: ")
    assert isinstance(refused.value, ValueError)
    # render and render_fragment check first, so nothing reaches Python-Markdown.
    with pytest.raises(markdown.MarkdownTooComplex):
        markdown.render(text)
    with pytest.raises(markdown.MarkdownTooComplex):
        markdown.render_fragment(text)
    assert validate_messages(text)[0].startswith(f"Line {line}: ")


def validate_messages(text):
    messages = markdown.validate_markdown(text)
    assert messages and all(isinstance(m, str) for m in messages)
    return messages


def test_every_broken_limit_is_reported_once_in_line_order():
    text = "[" * 11 + "\n\n" + "1. " * 11 + "\n\n" + "[" * 30
    assert [p.line for p in markdown.limit_problems(text)] == [1, 3]
    assert len(markdown.validate_markdown(text)) == 2


def test_27_kb_of_unclosed_brackets_is_refused_in_milliseconds():
    # Before the limits this took over two minutes of a worker's time.
    start = time.perf_counter()
    with pytest.raises(markdown.MarkdownTooComplex):
        markdown.render("[" * 27_000)
    assert time.perf_counter() - start < 0.5


ORDINARY = [
    PROCEDURE_BODY,
    "Use \\[ to show a bracket. " + "\\[" * 100,  # escaped brackets open nothing
    "\n\n".join(["An aside (see [the FAQ](/faq/) and [here](/x/)) [" for _ in range(50)]),
    "\n".join("    " * i + "- level" for i in range(markdown.MAX_NESTING)),
    "> quote\n> > inner\n\n1. one\n    - two\n        1. three",
    "a" * markdown.MAX_MARKDOWN_CHARS,
    "",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_markdown_is_within_the_limits(text):
    assert markdown.validate_markdown(text) == []
    markdown.render(text)


def test_all_real_content_is_well_within_the_limits(settings):
    for path in sorted(settings.CONTENT_DIR.glob("*/*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        assert markdown.validate_markdown(body) == [], path
        assert len(body) < markdown.MAX_MARKDOWN_CHARS / 3, path


def fill(unit: str) -> str:
    return (unit * (markdown.MAX_MARKDOWN_CHARS // len(unit) + 1))[: markdown.MAX_MARKDOWN_CHARS]


WORST_ACCEPTED = {
    # Just inside each limit, as long as allowed: rendering stays proportional to length.
    "open brackets at the limit": fill("[" * markdown.MAX_OPEN_BRACKETS + "word " * 12_000),
    "nested brackets at the limit": fill("[" * 10 + "(" * 10 + "]" * 10 + ")" * 10 + " "),
    "links": fill("[a](b) "),
    "nested lists at the limit": fill(
        "\n".join("    " * (i % markdown.MAX_NESTING) + "1. x" for i in range(150)) + "\n\n"
    ),
    "rules in long blocks": fill("\n".join(["- - -"] * markdown.MAX_BLOCK_LINES) + "\n\n"),
    "a heading with a long run of spaces": "## What it is" + " " * 40_000 + "x",
}


@pytest.mark.parametrize("name", WORST_ACCEPTED)
def test_the_worst_text_within_the_limits_renders_in_seconds(name):
    text = WORST_ACCEPTED[name]
    assert markdown.validate_markdown(text) == []
    markdown._markdown.cache_clear()
    start = time.perf_counter()
    markdown.render(text)
    assert time.perf_counter() - start < 5, name  # each took 0.1-1.2 s on a laptop


def test_a_glossary_word_keeps_its_punctuation_on_its_line():
    entry = markdown.GlossaryEntry(
        slug="fluoroscopy", words=("fluoroscopy",), definition="Live X-ray.", url="/glossary/#f"
    )
    html = markdown.link_glossary("<p>It uses fluoroscopy, a live X-ray.</p>", [entry])
    assert '<span class="gloss-word"><button type="button" class="gloss"' in html
    assert "fluoroscopy</button>,</span>" in html
