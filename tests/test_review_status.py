"""Honest review status: no page or JSON-LD claims a clinical review that did not happen."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from core.pages import DEFAULT_REVIEWER
from core.registry import registry
from editorial import workflow
from tests.factories import make_faq, make_procedure, make_reviewer, make_user

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_an_unreviewed_page_says_so_and_claims_nothing(client):
    page = make_procedure(reviewed_by="Clinic medical team")  # a name alone is not a review
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Not yet checked by a clinician" in html
    assert "Checked by a clinician on" not in html
    page_data = next(d for d in json_ld(html) if d.get("@type") == "MedicalWebPage")
    assert "lastReviewed" not in page_data and "reviewedBy" not in page_data


def test_marking_reviewed_shows_the_date_on_the_page_and_in_json_ld(client):
    page = make_procedure()
    workflow.mark_reviewed(page, make_reviewer(), on=datetime.date(2026, 11, 20))
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Checked by a clinician on 20 November 2026" in html
    assert "Next check due 20 November 2027" in html
    page_data = next(d for d in json_ld(html) if d.get("@type") == "MedicalWebPage")
    assert page_data["lastReviewed"] == "2026-11-20"
    assert page_data["reviewedBy"]["name"] == DEFAULT_REVIEWER


def test_faqs_have_review_fields_and_sources():
    faq = make_faq(sources="NHS: Blood thinners (2024) https://www.nhs.uk/medicines/")
    workflow.mark_reviewed(faq, make_reviewer(), on=datetime.date(2026, 1, 5))
    faq.refresh_from_db()
    assert faq.reviewed_on == datetime.date(2026, 1, 5)
    assert faq.next_review_due == datetime.date(2027, 1, 5)
    assert faq.source_list[0]["url"] == "https://www.nhs.uk/medicines/"


def test_the_shipped_content_claims_no_review(site_content):
    """No clinician has reviewed the example content: nothing may say one did."""
    claimed = [
        str(page)
        for page_type in registry
        if page_type.reviewed
        for page in page_type.model.objects.filter(reviewed_on__isnull=False)
    ]
    assert claimed == []


def test_the_admin_home_lists_pages_awaiting_a_first_review(client):
    make_procedure(title="Never checked page")
    admin = make_user(superuser=True)
    client.force_login(admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for a first clinical review" in html
    assert "Never checked page" in html


def test_how_we_write_page_counts_honestly(client):
    make_procedure()
    reviewed = make_procedure()
    workflow.mark_reviewed(reviewed, make_reviewer())
    response = client.get(reverse("how_we_write"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "a clinician has checked 1 of our 2 pages" in html
    assert reverse("how_we_write") in client.get(reverse("home")).content.decode()
