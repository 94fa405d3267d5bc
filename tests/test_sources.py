"""Sources a patient can check: publisher, title, year and a working https link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core import sources
from core.registry import registry
from editorial import loader
from editorial.content_files import ContentError
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

LINE = (
    "NICE: Low back pain and sciatica in over 16s (NG59) (2016) "
    "https://www.nice.org.uk/guidance/ng59"
)


def test_a_source_line_reads_and_writes_back():
    source = sources.parse(LINE)
    assert source == {
        "organization": "NICE",
        "title": "Low back pain and sciatica in over 16s (NG59)",
        "year": 2016,
        "url": "https://www.nice.org.uk/guidance/ng59",
    }
    assert sources.line(source) == LINE


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("NHS: Sciatica", "write each source on one line"),
        ("NHS: Sciatica (2023) http://www.nhs.uk/conditions/sciatica/", "https://"),
        ("NHS: Sciatica (1850) https://www.nhs.uk/conditions/sciatica/", "year"),
        ("NHS: Sciatica (2999) https://www.nhs.uk/conditions/sciatica/", "year"),
    ],
)
def test_the_admin_refuses_a_source_without_year_or_https_link(line, message):
    page = make_procedure()
    page.sources = line
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert any(message in m for m in caught.value.message_dict["sources"])


def test_the_page_links_each_source_with_its_year(client):
    page = make_procedure(sources=LINE)
    html = client.get(page.get_absolute_url()).content.decode()
    assert (
        'NICE: <a href="https://www.nice.org.uk/guidance/ng59"><cite>Low back pain and sciatica '
        "in over 16s (NG59)</cite></a> (2016)"
    ) in html


def test_the_loader_refuses_a_source_without_a_link(tmp_path):
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "q.md").write_text(
        "---\nquestion: A question?\nslug: q\ntopic: about\nsources:\n"
        "- organization: NHS\n  title: Sciatica\n  year: 2023\n---\n\nAn answer.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        loader.load(tmp_path)
    (problem,) = caught.value.problems
    assert problem.line == 5 and "organization, title, year, url" in problem.message


def test_every_procedure_condition_and_faq_cites_linked_sources(site_content):
    missing = []
    for name in ("procedure", "condition", "faq"):
        for page in registry.model(name).objects.published():
            cited = page.source_list
            if not cited or not all(s["url"].startswith("https://") for s in cited):
                missing.append(f"{name}: {page}")
    assert missing == []
