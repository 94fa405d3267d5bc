"""Lists stay bounded and cheap however much content there is."""

import pytest
from django.urls import reverse

from core.links import slug_url, view_url
from procedures import views
from tests.factories import make_condition, make_procedure

pytestmark = pytest.mark.django_db


def test_slug_urls_are_what_reverse_gives():
    for name in ("procedures:detail", "conditions:detail"):
        for slug in ("a", "facet-joint-injection", "x_1"):
            assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})
    assert view_url("faq:list") == reverse("faq:list")


def test_home_shows_a_fixed_number(client, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(views, "HOME_PROCEDURES", 3)
    monkeypatch.setattr(views, "HOME_CONDITIONS", 2)
    for n in range(5):
        make_procedure(title=f"Procedure {n}")
        make_condition(title=f"Condition {n}")
    with django_assert_num_queries(3):
        html = client.get(reverse("home")).content.decode()
    assert html.count('class="card"') == 3
    assert sum(f"Condition {n}<" in html for n in range(5)) == 2


@pytest.mark.parametrize(
    "name, attribute, make",
    [
        ("procedures:list", "PROCEDURES_PER_PAGE", make_procedure),
        ("conditions:list", "CONDITIONS_PER_PAGE", make_condition),
        ("procedures:compare", "COMPARE_PER_PAGE", make_procedure),
    ],
)
def test_lists_come_in_pages_of_one_query(
    client, monkeypatch, django_assert_num_queries, name, attribute, make
):
    view = {
        "procedures:list": views.ProcedureListView,
        "conditions:list": views.ConditionListView,
        "procedures:compare": views.ProcedureCompareView,
    }[name]
    monkeypatch.setattr(view, "per_page", 2)
    for n in range(5):
        make(title=f"Item {n}")
    url = reverse(name)
    seen = []
    for number in (1, 2, 3):
        with django_assert_num_queries(1):
            html = client.get(url, {"page": number}).content.decode()
        seen += [n for n in range(5) if f">Item {n}<" in html]
        assert ('rel="next"' in html) == (number < 3)
        assert ('rel="prev"' in html) == (number > 1)
    assert sorted(seen) == list(range(5))
    assert client.get(url, {"page": 4}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
    assert client.get(url, {"page": 0}).status_code == 404


def test_a_short_list_has_no_page_links(client):
    make_procedure()
    assert 'class="pagination"' not in client.get(reverse("procedures:list")).content.decode()
