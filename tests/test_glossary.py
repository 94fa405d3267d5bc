"""Glossary terms on pages: popovers that work without JavaScript, and the /glossary/ page."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from procedures.models import Condition, Procedure

pytestmark = pytest.mark.django_db


def ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_glossary_page_lists_terms_with_anchors(client, site_content):
    html = client.get(reverse("glossary:list")).content.decode()
    anchors = ids(html)
    for slug in ("fluoroscopy", "corticosteroid", "nerve-root", "intrathecal"):
        assert anchors[slug] == 1, slug


def test_popovers_resolve_on_every_page(client, site_content):
    glossary_ids = ids(client.get(reverse("glossary:list")).content.decode())
    pages = [*Procedure.objects.published(), *Condition.objects.published()]
    linked = 0
    for page in pages:
        html = client.get(page.get_absolute_url()).content.decode()
        counts = ids(html)
        duplicates = [i for i, n in counts.items() if n > 1]
        assert duplicates == [], (page.slug, duplicates)
        for target in re.findall(r'popovertarget="([^"]+)"', html):
            linked += 1
            assert counts[target] == 1, (page.slug, target)
            assert re.search(rf'id="{re.escape(target)}" popover', html)
        for slug in re.findall(r'href="/glossary/#([^"]+)"', html):
            assert glossary_ids[slug] == 1, (page.slug, slug)
    assert linked >= len(pages)  # most pages use at least one glossary term
