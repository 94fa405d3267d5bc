"""The FAQ page: grouped by topic, each answer folded in a <details>, lean."""

import re

import pytest
from django.urls import reverse

from faq.models import Topic
from tests.factories import make_faq, make_procedure, make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def faqs():
    make_term(term="Epidural", slug="epidural", definition="The space around the spinal cord.")
    procedure = make_procedure(slug="faq-procedure", title="A linked procedure")
    return [
        make_faq(
            slug=f"question-{n}",
            topic=topic,
            answer="An epidural is one option. Ask about an epidural.",
            procedures=[procedure],
        )
        for n, topic in enumerate([Topic.ABOUT, Topic.RISKS, Topic.RISKS])
    ]


def test_answers_are_grouped_and_folded(client, faqs):
    html = client.get(reverse("faq:list")).content.decode()
    assert html.count("<details>") == 3 and html.count("<summary>") == 3
    assert html.index('id="topic-about"') < html.index('id="question-0"')
    assert html.index('id="topic-risks"') < html.index('id="question-1"')
    assert 'id="question-2" aria-labelledby="question-2-q"' in html
    assert '<script src="/static/js/faq.js" defer></script>' in html
    assert html.count('href="/procedures/faq-procedure/"') == 3


def test_a_glossary_definition_is_written_once_per_page(client, faqs):
    html = client.get(reverse("faq:list")).content.decode()
    assert html.count("The space around the spinal cord.") == 1
    popovers = re.findall(r'<span class="gloss-pop" id="([^"]+)" popover>', html)
    targets = re.findall(r'popovertarget="([^"]+)"', html)
    assert len(popovers) == 1 and len(targets) == 3 and set(targets) == set(popovers)
    # The pop-up sits outside every folded answer, so it opens from any of them.
    assert html.index(f'id="{popovers[0]}"') > html.rindex("</details>")


def test_the_faq_page_costs_two_queries_however_many_answers(
    client, faqs, django_assert_num_queries
):
    for n in range(20):
        make_faq(slug=f"more-{n}", procedures=[make_procedure()])
    with django_assert_num_queries(2):
        assert client.get(reverse("faq:list")).status_code == 200


def test_the_procedure_page_writes_each_definition_once(client, faqs):
    from procedures.models import Procedure

    procedure = Procedure.objects.get(slug="faq-procedure")
    procedure.body = procedure.body.replace("A small shot near a nerve.", "An epidural shot.")
    procedure.save()
    html = client.get(procedure.get_absolute_url()).content.decode()
    popovers = re.findall(r'<span class="gloss-pop" id="([^"]+)" popover>', html)
    targets = re.findall(r'popovertarget="([^"]+)"', html)
    assert len(popovers) == 1 and len(targets) == 4 and set(targets) == set(popovers)


def test_many_answers_come_in_pages_and_find_leads_to_the_right_one(client, monkeypatch):
    from faq import views

    monkeypatch.setattr(views, "FAQS_PER_PAGE", 2)
    for n, topic in enumerate([Topic.ABOUT, Topic.ABOUT, Topic.RISKS, Topic.COSTS, Topic.AFTER]):
        make_faq(slug=f"q-{n}", topic=topic, order=n)
    first = client.get(reverse("faq:list")).content.decode()
    assert 'id="q-0"' in first and 'id="q-1"' in first and 'id="q-2"' not in first
    assert 'rel="next"' in first and 'data-find-url="/faq/find/slug-placeholder/"' in first
    # Display order is by topic (about, ..., after, risks, costs), across pages.
    second = client.get(reverse("faq:list"), {"page": 2}).content.decode()
    assert 'id="q-4"' in second and 'id="q-2"' in second
    assert client.get("/faq/find/q-0/")["Location"] == "/faq/#q-0"
    assert client.get("/faq/find/q-3/")["Location"] == "/faq/?page=3#q-3"
    assert client.get("/faq/find/no-such/")["Location"] == "/faq/"
