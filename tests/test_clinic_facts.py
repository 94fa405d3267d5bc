"""Clinic facts by name: pages say {{ phone }}, never a number, and show Clinic details'."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from clinic.middleware import ClinicTimeZoneMiddleware
from clinic.models import ClinicDetails, clinic_details
from core import includes
from editorial import loader
from editorial.content_files import ContentError
from search.models import Document
from tests.factories import make_condition, make_faq, make_procedure

pytestmark = pytest.mark.django_db


# --- the names and the checks ----------------------------------------------------


def test_facts_render_as_tap_to_call_links():
    facts = {"phone": includes.Fact("555-0100", "5550100"), "clinic_name": includes.Fact("A*B")}
    out = includes.expand("Call {{ phone }} or {{phone}}. {{ clinic_name }}.", facts, {})
    assert out == "Call [555-0100](tel:5550100) or [555-0100](tel:5550100). A\\*B."


@pytest.mark.parametrize(
    "text",
    [
        "Call us at 555-0100 today.",
        "Call 911 now.",
        "dial 112 for an ambulance",
        "Text 988 at any time.",
        "Ring +91 40 1234 5678.",
        "Our number is (555) 010-0123.",
    ],
)
def test_literal_numbers_are_found(text):
    assert includes.literal_numbers(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Reviewed on 2026-11-01.",
        "About 1,000 people.",
        "Rest for 20 minutes, 3 to 5 times a day.",
        "NICE guideline NG59 (2016).",
        "Call {{ phone }} or {{ emergency }}.",
        "Score your pain from 0 to 10.",
    ],
)
def test_ordinary_numbers_are_not_phone_numbers(text):
    assert includes.literal_numbers(text) == []


def test_the_admin_refuses_a_typed_number_in_the_text_with_its_line():
    page = make_procedure()
    page.body = page.body.replace("- A fever.", "- A fever. Call us at 555-0123.")
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    messages = caught.value.message_dict["body"]
    line = page.body.splitlines().index("- A fever. Call us at 555-0123.") + 1
    assert any(m.startswith(f"Line {line}:") and "555-0123" in m for m in messages)


def test_the_admin_refuses_a_number_in_a_short_field_and_an_unknown_fact():
    page = make_procedure(summary="Call 911 if it hurts.")
    page.body += "\nAsk {{ doctor_phone }}.\n"
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "summary" in caught.value.message_dict
    assert any("doctor_phone" in m for m in caught.value.message_dict["body"])


def test_the_loader_refuses_a_typed_number_with_file_and_line(tmp_path):
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "a-question.md").write_text(
        "---\nquestion: A question?\nslug: a-question\ntopic: about\n---\n\n"
        "First line.\n\nIf it is bad, call 911.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        loader.load(tmp_path)
    assert any(
        p.path.endswith("faq/a-question.md") and p.line == 9 and "911" in p.message
        for p in caught.value.problems
    ), caught.value.problems


# --- clinic details drive every page ---------------------------------------------


def test_clinic_numbers_are_validated_and_the_time_zone_must_exist():
    details = ClinicDetails(emergency_number="call me", time_zone="Mars/Olympus", country="usa")
    with pytest.raises(ValidationError) as caught:
        details.full_clean()
    assert {"emergency_number", "time_zone"} <= set(caught.value.message_dict)


def test_out_of_hours_text_names_its_number_and_links_it():
    ClinicDetails.objects.create(after_hours_phone="555-0177")
    data = clinic_details()
    assert data["out_of_hours_html"] == (
        'Call <a href="tel:5550177">555-0177</a> to reach the doctor on call.'
    )
    with pytest.raises(ValidationError):
        ClinicDetails(out_of_hours="Call 555-0101 at night.").full_clean()


def test_care_cards_carry_the_clinic_numbers():
    page = make_procedure()
    html = page.body_html
    emergency = re.search(r'care-card--emergency">(.*?)</div>', html, re.S).group(1)
    today = re.search(r'care-card--today">(.*?)</div>', html, re.S).group(1)
    assert 'href="tel:911"' in emergency
    assert 'href="tel:5550100"' in today and 'href="tel:5550101"' in today


INDIA = {
    "phone": "+91 40 5550 0100",
    "after_hours_phone": "+91 40 5550 0199",
    "emergency_number": "112",
    "ambulance_number": "108",
    "crisis_line": "14416",
    "country": "IN",
    "time_zone": "Asia/Kolkata",
}
US_DEFAULTS = ("555-0100", "555-0101", ">911<", ">988<", "tel:911", "tel:988", "tel:5550100")


def _crawl_urls(client) -> list[str]:
    sitemap = client.get(reverse("sitemap")).content.decode()
    urls = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", sitemap)
    return sorted(set(urls)) + [reverse("search:results") + "?q=back+pain"]


def test_changing_every_number_changes_every_published_page(client, site_content):
    """Crawl every page in the sitemap: only Clinic details' numbers, everywhere."""
    details = ClinicDetails.objects.first() or ClinicDetails()
    for name, value in INDIA.items():
        setattr(details, name, value)
    details.full_clean()
    details.save()

    urls = _crawl_urls(client)
    assert len(urls) > 35  # every procedure and condition, and the list pages
    allowed_tel = {"+914055500100", "+914055500199", "112", "108", "14416"}
    seen_tel: set[str] = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for old in US_DEFAULTS:
            assert old not in html, (url, old)
        tels = set(re.findall(r'href="tel:([^"]*)"', html))
        assert tels <= allowed_tel, (url, tels - allowed_tel)
        seen_tel |= tels
        if 'class="care-card care-card--emergency"' in html:
            assert 'href="tel:112"' in html, url
        for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            if '"telephone"' in data:
                assert '"telephone": "+91 40 5550 0100"' in data, url
    assert {"+914055500100", "+914055500199", "112"} <= seen_tel


def test_pages_of_every_kind_render_facts(client):
    make_condition(body="## What it is\n\nCall {{ crisis_line }} if you feel low.")
    make_faq(answer="Call {{ after_hours }} when we are closed.", slug="closed")
    html = client.get(reverse("faq:list")).content.decode()
    assert '<a href="tel:5550101"' in html


def test_requests_run_in_the_clinics_time_zone(rf):
    ClinicDetails.objects.create(time_zone="Asia/Kolkata")
    seen = []
    middleware = ClinicTimeZoneMiddleware(
        lambda request: seen.append(timezone.get_current_timezone_name()) or HttpResponse()
    )
    middleware(rf.get("/"))
    assert seen == ["Asia/Kolkata"]
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # reset afterwards


def test_search_follows_new_clinic_numbers(client):
    faq = make_faq(question="How do I book a visit?", answer="Call us on {{ phone }} to book.")
    assert "555-0100" in Document.objects.get(kind="faq", object_id=faq.pk).body
    details = ClinicDetails.objects.first() or ClinicDetails()
    details.phone = "+91 40 5550 0100"
    details.save()
    body = Document.objects.get(kind="faq", object_id=faq.pk).body
    assert "+91 40 5550 0100" in body and "555-0100" not in body
