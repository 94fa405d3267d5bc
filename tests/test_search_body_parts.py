"""A search for a part of the body the site does not cover says so, with the phone number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from search import body_parts
from tests.factories import make_condition

pytestmark = pytest.mark.django_db


def results(client, query: str) -> str:
    return client.get(reverse("search:results"), {"q": query}).content.decode()


@pytest.mark.parametrize(
    ("query", "part"),
    [("tooth pain", "teeth or gums"), ("my jaw hurts", "the jaw"), ("earache", "the ears")],
)
def test_an_uncovered_part_gets_a_clear_answer_and_no_unrelated_pages(
    client, site_content, query, part
):
    html = results(client, query)
    assert f"We do not have a page about pain in {part}" in html
    assert 'href="tel:5550100"' in html
    assert 'class="search-results"' not in html  # no spine pages that only share "pain"


def test_chest_pain_says_to_call_the_emergency_number_first(client, site_content):
    html = results(client, "chest pain")
    assert "can be a sign of something serious" in html
    assert 'href="tel:911"' in html


@pytest.mark.parametrize(
    "query", ["knee pain", "migraine", "hip arthritis", "burning feet", "shoulder injection"]
)
def test_covered_parts_get_their_pages(client, site_content, query):
    html = results(client, query)
    assert "We do not have a page about pain in" not in html
    assert 'class="search-results"' in html


def test_coverage_follows_the_published_pages(site_content):
    assert body_parts.coverage("elbow pain").hide_results
    make_condition(title="Tennis elbow", summary="Pain on the outside of the elbow.")
    assert body_parts.coverage("elbow pain").uncovered is None


def test_a_query_naming_a_covered_and_an_uncovered_part_keeps_its_results(site_content):
    coverage = body_parts.coverage("knee and jaw pain")
    assert coverage.uncovered.name == "the jaw"
    assert not coverage.hide_results
