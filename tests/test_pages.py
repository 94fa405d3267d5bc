"""Public pages: status codes, drafts hidden everywhere, draft preview for permitted staff."""

import pytest
from django.urls import reverse

from core.pages import Status
from tests.factories import make_condition, make_faq, make_procedure, make_term, make_user

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "home",
    "procedures:list",
    "conditions:list",
    "faq:list",
    "glossary:list",
    "procedures:where_it_hurts",
]


@pytest.fixture
def pages():
    condition = make_condition(title="Published condition", slug="pub-condition")
    draft_condition = make_condition(
        title="Secret draft condition", slug="draft-condition", status=Status.DRAFT
    )
    procedure = make_procedure(
        title="Published procedure", slug="pub-procedure", conditions=[condition, draft_condition]
    )
    draft = make_procedure(
        title="Secret draft procedure", slug="draft-procedure", status=Status.DRAFT
    )
    procedure.related.add(draft)
    make_faq(question="Published question?", slug="pub-q", procedures=[procedure])
    make_faq(question="Secret draft question?", slug="draft-q", status=Status.DRAFT,
             procedures=[procedure])  # fmt: skip
    make_term(term="Publishedterm", slug="publishedterm")
    make_term(term="Secretdraftterm", slug="secretdraftterm", status=Status.DRAFT)
    return {"procedure": procedure, "draft": draft, "condition": condition,
            "draft_condition": draft_condition}  # fmt: skip


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_pages_show_published_and_hide_drafts(client, pages, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret draft" not in html and "Secretdraftterm" not in html
    assert "<main" in html and 'href="#main"' in html


def test_published_detail_pages(client, pages):
    for obj in (pages["procedure"], pages["condition"]):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert obj.title in html
        assert "Secret draft" not in html  # draft related pages and FAQs left out
        assert "not advice for your case" in html
        assert "noindex" not in html


def test_procedure_page_has_every_part(client, pages):
    html = client.get(pages["procedure"].get_absolute_url()).content.decode()
    parts = ["How to prepare", "care-card--emergency", "care-card--today", "care-card--followup",
             "Published question?", "Published condition",
             "Not yet checked by a clinician"]  # fmt: skip
    for part in parts:
        assert part in html


@pytest.mark.parametrize("key", ["draft", "draft_condition"])
def test_drafts_are_404_for_anonymous_and_unpermitted_staff(client, pages, key):
    url = pages[key].get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(make_user(staff=True))
    assert client.get(url).status_code == 404


def test_unknown_pages_are_404_with_help(client, db):
    response = client.get("/procedures/no-such-thing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "cannot find that page" in html and reverse("home") in html


@pytest.mark.parametrize(
    "key, perm",
    [("draft", "procedures.change_procedure"), ("draft_condition", "procedures.change_condition")],
)
def test_permitted_staff_preview_drafts(client, pages, key, perm):
    client.force_login(make_user(staff=True, perms=[perm]))
    response = client.get(pages[key].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft preview" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_sitemap_lists_exactly_published_pages(client, pages):
    xml = client.get(reverse("sitemap")).content.decode()
    assert "/procedures/pub-procedure/" in xml and "/conditions/pub-condition/" in xml
    assert "draft-procedure" not in xml and "draft-condition" not in xml


def test_robots_points_to_sitemap(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: " in text and text.rstrip().endswith("/sitemap.xml")


# Query counts: each page's number is pinned so a query per row cannot creep in.
QUERY_COUNTS = {
    "home": 3,
    "procedures:list": 1,
    "conditions:list": 1,
    "faq:list": 2,
    "glossary:list": 1,
    "procedures:where_it_hurts": 3,
    "how_we_write": 2,  # one count per reviewed page type in the sitemap
}


@pytest.mark.parametrize("name", QUERY_COUNTS)
def test_list_page_query_counts(client, site_content, django_assert_num_queries, name):
    with django_assert_num_queries(QUERY_COUNTS[name]):
        assert client.get(reverse(name)).status_code == 200


def test_detail_page_query_counts(client, site_content, django_assert_num_queries):
    # 7: the page + 5 prefetches (the 4th: pathways, the 5th: check-your-understanding
    # questions) + procedures per FAQ (issue 4). Whether a plan can be made is in the
    # page's own query.
    with django_assert_num_queries(7):
        assert client.get("/procedures/epidural-steroid-injection/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/conditions/sciatica/").status_code == 200


def test_every_real_page_renders(client, site_content):
    from procedures.models import Condition, Procedure

    for obj in [*Procedure.objects.published(), *Condition.objects.published()]:
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200, obj.slug


def test_also_called_shows_four_names_after_the_main_message_and_search_knows_all(client):
    names = ["Name one", "Name two", "Name three", "Name four", "Fifthname shot"]
    page = make_procedure(also_called="\n".join(names), main_message="The main message.")
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Also called: Name one, Name two, Name three, Name four</p>" in html
    assert html.index("The main message.") < html.index("Also called:")
    assert "Fifthname" not in html.split("<main")[1].split("</header>")[0]
    results = client.get(reverse("search:results"), {"q": "fifthname"}).content.decode()
    assert page.title in results


def test_compare_two_or_three_chosen_procedures_side_by_side(client):
    first = make_procedure(title="First choice", duration="About 20 minutes")
    second = make_procedure(title="Second choice", duration="About an hour")
    make_procedure(title="Not chosen")
    url = reverse("procedures:compare")
    html = client.get(url).content.decode()
    assert f'name="p" value="{first.slug}"' in html  # each row can be ticked
    html = client.get(url, {"p": [first.slug, second.slug]}).content.decode()
    assert "First choice and Second choice, side by side" in html
    assert "About an hour" in html and "Not chosen" not in html
    assert 'content="noindex"' in html
    one = client.get(url, {"p": [first.slug]}).content.decode()
    assert "Choose 2 or 3 procedures to compare" in one and "Not chosen" in one
    unknown = client.get(url, {"p": [first.slug, "no-such-page"]}).content.decode()
    assert "Choose 2 or 3 procedures to compare" in unknown
