"""The take-home sheet (/procedures/<slug>/sheet/): what it holds, where its QR code
points, and the Print links. Page counts on A4 and Letter are measured in
tests/browser/test_tools_browser.py from Chromium's PDF."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import override_settings

from procedures.models import Procedure
from procedures.tools import SHEET_SECTIONS, qr_svg, sections
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def sheet(client, procedure):
    response = client.get(f"/procedures/{procedure.slug}/sheet/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_sheet_reuses_the_pages_own_sections_and_key_facts(client):
    procedure = make_procedure()
    html = sheet(client, procedure)
    found = sections(procedure.body_html)
    for key in SHEET_SECTIONS:
        assert found[key] in html  # the rendered section, not a rewrite
    for key in ("what-it-is", "benefits-risks-and-alternatives", "questions-to-ask-your-doctor"):
        assert f"page-section--{key}" not in html
    for label, value in procedure.at_a_glance:
        assert label in html and value in html
    assert procedure.main_message in html


def test_the_sheet_gives_the_clinics_numbers(client):
    from clinic.models import clinic_details

    clinic = clinic_details()
    html = sheet(client, make_procedure())
    for fact in ("phone", "after_hours", "emergency"):
        assert clinic[fact] in html
    assert f'href="tel:{clinic["emergency_tel"]}"' in html


@override_settings(SITE_URL="https://clinic.example.org")
def test_the_qr_code_points_to_the_canonical_address_and_is_drawn_here(client):
    procedure = make_procedure(slug="a-block")
    html = sheet(client, procedure)
    url = "https://clinic.example.org/procedures/a-block/"
    assert url in html
    assert f'<link rel="canonical" href="{url}">' in html
    svg = re.search(r"<svg .*?</svg>", html, re.DOTALL).group(0)
    assert svg == qr_svg(url)
    assert "http" not in svg  # drawn inline: no image fetched from anywhere
    assert 'aria-hidden="true"' in svg  # the address is written out beside it


def test_the_qr_code_is_segnos_code_for_the_address_and_scales():
    import segno

    url = "https://clinic.example.org/procedures/medial-branch-block/"
    # segno draws the same matrix for the same input: compare with a fresh one.
    assert qr_svg(url) == segno.make(url, error="m", micro=False).svg_inline(
        scale=1, border=2, dark="#000", light="#fff", omitsize=True
    ).replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # It scales to the size the stylesheet gives it (on paper: 24 mm), never clipped.
    assert 'viewBox="0 0 ' in qr_svg(url) and "width=" not in qr_svg(url)


def test_the_sheet_is_only_for_published_procedures(client):
    draft = make_procedure(status="draft")
    assert client.get(f"/procedures/{draft.slug}/sheet/").status_code == 404
    assert client.get("/procedures/no-such-thing/sheet/").status_code == 404


def test_the_procedure_page_links_to_the_sheet_with_a_print_button(client):
    procedure = make_procedure()
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert f'href="/procedures/{procedure.slug}/sheet/"' in html
    # The button needs the script (no inline script under the CSP), so it starts hidden.
    assert re.search(r"<li data-print-wrap hidden><button [^>]*data-print>", html)
    assert re.search(r'<script src="/static/js/print.js" defer></script>', html)
    assert "<script>" not in html and " onclick=" not in html


def test_the_sheet_is_publicly_cacheable_and_has_no_inline_script(client):
    procedure = make_procedure()
    response = client.get(f"/procedures/{procedure.slug}/sheet/")
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html


def test_every_real_procedure_has_a_sheet_with_its_three_sections(client, site_content):
    for procedure in Procedure.objects.published():
        html = sheet(client, procedure)
        for key in SHEET_SECTIONS:
            assert f"page-section--{key}" in html, (procedure.slug, key)


def test_site_url_setting_is_used_not_the_request_host(client):
    procedure = make_procedure(slug="b-block")
    html = client.get(
        f"/procedures/{procedure.slug}/sheet/", HTTP_HOST="localhost"
    ).content.decode()
    assert f"{settings.SITE_URL}/procedures/b-block/" in html
