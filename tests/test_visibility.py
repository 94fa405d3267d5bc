"""Who sees a draft: anonymous / staff without permission / editor / reviewer × draft /
published × detail page, list, search and sitemap. Drafts never appear in lists, search or
the sitemap for anyone; a draft's own page is a preview for editors and reviewers only."""

import pytest
from django.urls import reverse

from core.pages import Status
from tests.factories import (
    make_condition,
    make_editor,
    make_procedure,
    make_reviewer,
    make_user,
    make_waiting_change,
)

pytestmark = pytest.mark.django_db

USERS = {
    "anonymous": None,
    "staff_without_permission": lambda: make_user(staff=True),
    "editor": make_editor,
    "reviewer": make_reviewer,
}
CAN_PREVIEW = {"editor", "reviewer"}
TITLE = "Zygapophyseal radiofrequency {status} page"


@pytest.fixture(params=list(USERS))
def who(request, client):
    if USERS[request.param]:
        client.force_login(USERS[request.param]())
    return request.param


@pytest.fixture(params=[Status.DRAFT, Status.PUBLISHED])
def page(request):
    status = request.param
    return make_procedure(
        title=TITLE.format(status=status),
        slug=f"matrix-{status}",
        summary=f"Matrix summary for the {status} page.",
        status=status,
    )


def test_detail(client, who, page):
    response = client.get(page.get_absolute_url())
    if page.status == Status.PUBLISHED:
        assert response.status_code == 200
        assert "Draft preview" not in response.content.decode()
    elif who in CAN_PREVIEW:
        assert response.status_code == 200
        assert "Draft preview" in response.content.decode()
        assert "noindex" in response["X-Robots-Tag"]
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    else:
        assert response.status_code == 404


def test_list(client, who, page):
    html = client.get(reverse("procedures:list")).content.decode()
    assert (page.title in html) == (page.status == Status.PUBLISHED)


def test_condition_detail_and_list(client, who):
    draft = make_condition(title="Matrix draft condition", status=Status.DRAFT)
    expected = 200 if who in CAN_PREVIEW else 404
    assert client.get(draft.get_absolute_url()).status_code == expected
    assert draft.title not in client.get(reverse("conditions:list")).content.decode()


def test_search(client, who, page):
    html = client.get(reverse("search:results"), {"q": "Zygapophyseal"}).content.decode()
    assert (page.title in html) == (page.status == Status.PUBLISHED)


def test_sitemap(client, who, page):
    xml = client.get(reverse("sitemap")).content.decode()
    assert (page.get_absolute_url() in xml) == (page.status == Status.PUBLISHED)


def test_waiting_changes_are_never_shown_to_the_public(client, who):
    page = make_procedure(status=Status.PUBLISHED, slug="matrix-waiting")
    make_waiting_change(page, summary="Unreviewed words.")
    assert "Unreviewed words." not in client.get(page.get_absolute_url()).content.decode()
    assert "Unreviewed words." not in client.get(reverse("procedures:list")).content.decode()
