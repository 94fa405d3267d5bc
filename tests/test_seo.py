"""Found and shared: titles, descriptions, canonical URLs, Open Graph, JSON-LD, sitemap."""

import datetime
import html as htmllib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse

from core.pages import Status
from editorial import workflow
from faq.models import FAQ
from procedures.models import Condition, Procedure
from tests.factories import make_faq, make_procedure, make_reviewer

pytestmark = pytest.mark.django_db

STATIC_PAGES = [
    "home",
    "procedures:list",
    "procedures:compare",
    "procedures:where_it_hurts",
    "conditions:list",
    "faq:list",
    "glossary:list",
    "how_we_write",
]


def meta(page: str, attr: str, name: str) -> str | None:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', page)
    return htmllib.unescape(match.group(1)) if match else None


def json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return [json.loads(block) for block in blocks]


def published_urls() -> list[str]:
    return (
        [reverse(name) for name in STATIC_PAGES]
        + [p.get_absolute_url() for p in Procedure.objects.published()]
        + [c.get_absolute_url() for c in Condition.objects.published()]
    )


def test_every_page_has_a_unique_title_description_and_canonical(client, site_content):
    titles, descriptions = {}, {}
    for url in published_urls():
        page = client.get(url).content.decode()
        title = htmllib.unescape(re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1))
        description = meta(page, "name", "description")
        assert title.endswith("| Example Pain Clinic"), url
        assert description and 50 <= len(description) <= 200, (url, description)
        assert title not in titles, (url, titles.get(title))
        assert description not in descriptions, (url, descriptions.get(description))
        titles[title], descriptions[description] = url, url
        assert f'<link rel="canonical" href="{settings.SITE_URL}{url}">' in page, url
        assert meta(page, "property", "og:url") == f"{settings.SITE_URL}{url}", url
        assert meta(page, "property", "og:title") == title.removesuffix(" | Example Pain Clinic")
        assert meta(page, "property", "og:description") == description, url
        assert meta(page, "property", "og:site_name") == "Example Pain Clinic"
        assert meta(page, "property", "og:type") in {"website", "article"}


def test_procedure_json_ld(client, site_content):
    page = client.get("/procedures/medial-branch-block/").content.decode()
    assert meta(page, "property", "og:type") == "article"
    [data] = json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == f"{settings.SITE_URL}/procedures/medial-branch-block/"
    assert "lastReviewed" not in data and "reviewedBy" not in data  # no clinician has, yet
    assert data["about"]["@type"] == "MedicalProcedure"
    assert (
        data["about"]["name"] == "Medial branch block" and "MBB" in data["about"]["alternateName"]
    )
    assert data["publisher"]["@type"] == "MedicalClinic"
    assert data["publisher"]["telephone"] == "555-0100"


def test_condition_json_ld(client, site_content):
    [data] = json_ld(client.get("/conditions/sciatica/").content.decode())
    assert data["@type"] == "MedicalWebPage" and data["about"]["@type"] == "MedicalCondition"
    assert "lastReviewed" not in data and "reviewedBy" not in data
    sciatica = Condition.objects.get(slug="sciatica")
    workflow.mark_reviewed(sciatica, make_reviewer(), on=datetime.date(2026, 11, 20))
    [data] = json_ld(client.get("/conditions/sciatica/").content.decode())
    assert data["lastReviewed"] == "2026-11-20"
    assert data["reviewedBy"] == {"@type": "Organization", "name": "Clinic medical team"}


def test_faq_page_json_ld_lists_every_published_question(client, site_content):
    make_faq(question="Secret draft question?", status=Status.DRAFT)
    [data] = json_ld(client.get(reverse("faq:list")).content.decode())
    assert data["@type"] == "FAQPage"
    questions = [item["name"] for item in data["mainEntity"]]
    assert sorted(questions) == sorted(FAQ.objects.published().values_list("question", flat=True))
    assert "Secret draft question?" not in questions
    for item in data["mainEntity"]:
        answer = item["acceptedAnswer"]["text"]
        assert answer and "<" not in answer and "More in the glossary" not in answer


def test_home_json_ld_is_the_clinic(client):
    [data] = json_ld(client.get(reverse("home")).content.decode())
    assert data["@type"] == "MedicalClinic"
    assert data["name"] == "Example Pain Clinic" and data["telephone"] == "555-0100"
    assert (
        data["email"] == "info@example.org" and "Example Street" in data["address"]["streetAddress"]
    )
    assert data["address"]["addressCountry"] == "US"


def test_json_ld_cannot_be_broken_out_of(client):
    nasty = "</script><script>alert(1)</script> & <!--"
    procedure = make_procedure(title=f"Odd {nasty}", summary=f"Summary {nasty}")
    page = client.get(procedure.get_absolute_url()).content.decode()
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block
    [data] = json_ld(page)
    assert data["about"]["name"] == f"Odd {nasty}"  # the text survives, escaped


def test_404_has_no_canonical_and_says_noindex(client):
    page = client.get("/no-such-page/").content.decode()
    assert "canonical" not in page and 'content="noindex"' in page


def test_sitemap_lists_exactly_the_published_pages(client, site_content, django_assert_num_queries):
    Procedure.objects.filter(slug="discography").update(status=Status.DRAFT)
    Condition.objects.filter(slug="sciatica").update(status=Status.DRAFT)
    with django_assert_num_queries(4):  # a count and a page of rows per content sitemap
        response = client.get(reverse("sitemap"))
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    assert len(locations) == len(set(locations))
    paths = {re.sub(r"^https?://[^/]+", "", loc) for loc in locations}
    assert paths == set(published_urls())
    assert "/procedures/compare/" in paths
    assert "/procedures/discography/" not in paths and "/conditions/sciatica/" not in paths


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow:" in lines  # nothing disallowed ...
    assert "admin" not in response.content.decode()  # ... and the admin's path not given away
    assert any(line.startswith("Sitemap: ") and line.endswith("/sitemap.xml") for line in lines)
