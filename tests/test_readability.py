"""The readability gate: every published page, and each section, stays plain.

Flesch–Kincaid grade per section at most 8, a page's median at most 6.5, and no
sentence over 20 words. Procedure names and glossary terms are left out of the
scored text, as the NHS does.
"""

import pytest

from core.pages import readability_exclusions
from core.readability import (
    PAGE_MEDIAN_MAX_GRADE,
    SECTION_MAX_GRADE,
    long_sentences,
    score_markdown,
)
from core.registry import registry
from faq.models import FAQ
from procedures.models import Condition, Pathway, Procedure

pytestmark = pytest.mark.django_db

HARD = (
    "## What it is\n\nNotwithstanding considerable interindividual variability, "
    "epidemiological investigations consistently demonstrate substantial "
    "multifactorial contributions to degenerative musculoskeletal pathophysiology.\n"
)


def test_scorer_flags_a_hard_section():
    page = score_markdown(HARD)
    assert page.sections[0].grade > SECTION_MAX_GRADE
    assert any("What it is" in problem for problem in page.problems())


def test_scorer_passes_plain_text():
    page = score_markdown("## What it is\n\nA small shot in your back. It may ease the pain.\n")
    assert page.problems() == [] and page.median < 4


def test_excluded_terms_are_left_out():
    text = "## Words\n\nThe transforaminal epidural injection helps.\n"
    assert (
        score_markdown(text, ["transforaminal epidural injection"]).median
        < score_markdown(text).median
    )


def test_long_sentence_is_found():
    assert long_sentences("## A\n\n" + " ".join(["word"] * 21) + ".")
    assert not long_sentences("## A\n\n" + " ".join(["word"] * 20) + ".")


def published_texts():
    """The text of every published page of every registered page type (pathways too)."""
    for page_type in registry:
        for page in page_type.model.objects.published():
            yield f"{page_type.name} {page.slug}", getattr(page, page_type.text_field)


def test_every_published_page_passes_the_gate(site_content):
    exclude = readability_exclusions()
    problems = []
    pages = 0
    for url, text in published_texts():
        pages += 1
        page = score_markdown(text, exclude)
        problems += [f"{url}: {problem}" for problem in page.problems()]
        problems += [f"{url}: sentence over 20 words: {s[:60]}" for s in long_sentences(text)]
    assert pages >= 15 + 16 + 40 + 60 + 3
    assert problems == [], "\n".join(problems)


def test_stored_grades_match_the_gate(site_content):
    for page in Procedure.objects.published():
        assert page.reading_grade is not None and page.reading_grade <= PAGE_MEDIAN_MAX_GRADE
        assert page.reading_worst <= SECTION_MAX_GRADE


SHORT_FIELDS = {
    Procedure: ["title", "summary", "main_message", "used_for", "duration", "sedation", "driver",
                "relief_starts", "relief_lasts"],
    Condition: ["title", "summary"],
    FAQ: ["question"],
    Pathway: ["title", "intro"],
}  # fmt: skip


def test_short_fields_keep_sentences_short(site_content):
    """Cards, the main message and the at-a-glance facts obey the 20-word rule too."""
    problems = []
    for model, fields in SHORT_FIELDS.items():
        for obj in model.objects.published():
            for field in fields:
                problems += [
                    f"{obj.get_absolute_url()} {field}: {sentence[:60]}"
                    for sentence in long_sentences(getattr(obj, field))
                ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("## What it is", (2, "What it is")),
        ("### Call the clinic today ##", (3, "Call the clinic today")),
        ("##   Spaces  #  ", (2, "Spaces")),
        ("## a #  # ", (2, "a #")),
        ("## ###", (2, "#")),
        ("#### Too deep", None),
        ("##No space", None),
        ("Plain text", None),
    ],
)
def test_headings_are_read_as_before(line, expected):
    from core.readability import heading

    assert heading(line) == expected


@pytest.mark.parametrize(
    "text",
    [
        "## What it is" + " " * 5_000 + "x\n\nSome text.",  # took about a minute (cubic)
        "Some text. " + "\\[" * 25_000,  # took about 8 seconds (quadratic)
    ],
)
def test_scoring_hostile_text_takes_no_time(text):
    import time

    start = time.perf_counter()
    score_markdown(text)
    assert time.perf_counter() - start < 1
