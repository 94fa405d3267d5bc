"""The page cache for anonymous visitors (core/page_cache.py)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import include, path, reverse

from core import page_cache
from core.pages import Status
from core.registry import registry
from editorial import workflow
from tests.factories import (
    make_condition,
    make_faq,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def _form_with_token(request):
    html = Template("<form method=post>{% csrf_token %}<button>Go</button></form>" * 20)
    return HttpResponse(html.render(Context({"csrf_token": get_token(request)})))


def _sets_cookie(request):
    response = HttpResponse("<p>hello</p>" * 50)
    response.set_cookie("seen", "1")
    return response


urlpatterns = [
    path("test-form/", _form_with_token),
    path("test-cookie/", _sets_cookie),
    path("", include("painsite.urls")),
]


@pytest.fixture
def pages():
    condition = make_condition(slug="cache-condition")
    procedure = make_procedure(slug="cache-procedure", conditions=[condition])
    make_faq(procedures=[procedure])
    make_term()
    return {"procedure": procedure, "condition": condition}


def public_urls(pages):
    return [
        reverse("home"),
        reverse("procedures:list"),
        pages["procedure"].get_absolute_url(),
        reverse("conditions:list"),
        pages["condition"].get_absolute_url(),
        reverse("faq:list"),
        reverse("glossary:list"),
        reverse("procedures:where_it_hurts"),
    ]


def test_every_public_page_is_kept_and_served_without_the_view(client, pages):
    for url in public_urls(pages):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first[page_cache.HEADER] == "miss", url
        assert "Cookie" not in first.get("Vary", ""), url
        assert not first.cookies, url
        second = client.get(url)
        assert second[page_cache.HEADER] == "hit", url
        assert second.templates == [], url  # nothing rendered
        assert second.content == first.content, url
        assert "Cookie" not in second.get("Vary", "")
        assert second["ETag"].startswith('W/"pc') and second["Last-Modified"]
    assert not client.cookies


def test_a_hit_costs_no_query(client, pages, django_assert_num_queries):
    url = pages["procedure"].get_absolute_url()
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url)[page_cache.HEADER] == "hit"


def test_conditional_get_is_answered_304_unrendered(client, pages, django_assert_num_queries):
    url = pages["procedure"].get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304 and again.content == b"" and again.templates == []
    assert since.status_code == 304
    # After a change, the old ETag no longer matches.
    make_term()
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_publish_is_visible_at_once_to_anonymous_visitors(client, pages):
    draft = make_procedure(slug="cache-draft", title="Brand new treatment", status=Status.DRAFT)
    listing = reverse("procedures:list")
    assert "Brand new treatment" not in client.get(listing).content.decode()
    assert client.get(listing)[page_cache.HEADER] == "hit"
    assert client.get(draft.get_absolute_url()).status_code == 404

    workflow.publish(draft, make_reviewer())

    response = client.get(listing)
    assert response[page_cache.HEADER] == "miss"
    assert "Brand new treatment" in response.content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_draft_never_enters_the_cache(client, pages):
    draft = make_procedure(slug="cache-draft", title="Secret draft", status=Status.DRAFT)
    staff = Client()
    staff.force_login(make_user(staff=True, perms=["procedures.change_procedure"]))
    preview = staff.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "Secret draft" in preview.content.decode()
    assert preview[page_cache.HEADER] == "bypass"
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url() + "?preview=1").status_code == 404
    for url in public_urls(pages):
        assert "Secret draft" not in client.get(url).content.decode()


def test_a_signed_in_staff_member_never_gets_a_cached_page(client, pages):
    url = pages["procedure"].get_absolute_url()
    client.get(url)
    assert client.get(url)[page_cache.HEADER] == "hit"
    staff = Client()
    staff.force_login(make_user(staff=True))
    for _ in range(2):
        response = staff.get(url)
        assert response[page_cache.HEADER] == "bypass"
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


@override_settings(ROOT_URLCONF=__name__)
def test_no_cached_page_carries_a_csrf_token_or_a_cookie(client, pages):
    for url in ("/test-form/", "/test-cookie/", reverse("admin:login")):
        for _ in range(2):
            response = client.get(url)
            assert response[page_cache.HEADER] == "bypass", url
            assert "Content-Encoding" not in response, url  # BREACH: never compressed
    assert not [key for key in _kept_keys() if "csrfmiddlewaretoken" in str(cache.get(key))]


def _kept_keys():
    """The page cache's keys, as given to the cache (local memory, or Redis in CI)."""
    if isinstance(getattr(cache, "_cache", None), dict):
        stored = list(cache._cache)
    else:
        client = cache._cache.get_client(write=False)
        stored = [k.decode() for k in client.scan_iter(f"{cache.key_prefix}:*pagecache:page:*")]
    return [key.split(":", 2)[-1] for key in stored if "pagecache:page:" in key]


def test_kept_pages_have_no_secret_and_no_cookie(client, pages):
    for url in public_urls(pages):
        client.get(url)
    kept = _kept_keys()
    assert len(kept) == 3 * len(public_urls(pages))  # identity, brotli, gzip
    for key in kept:
        entry = cache.get(key)
        names = {name.lower() for name, _ in entry["headers"]}
        assert "set-cookie" not in names and "vary" not in names
        if entry["encoding"] == "identity":
            assert b"csrfmiddlewaretoken" not in entry["body"]


def test_requests_that_are_not_anonymous_page_views_go_straight_through(client, pages):
    url = pages["procedure"].get_absolute_url()
    client.get(url)
    assert client.get(url + "?preview")[page_cache.HEADER] == "bypass"
    assert client.get(url + "?utm=x")[page_cache.HEADER] == "bypass"
    assert client.post(url)[page_cache.HEADER] == "bypass"
    assert client.get(url, HTTP_AUTHORIZATION="Basic eA==")[page_cache.HEADER] == "bypass"
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    assert client.get(url)[page_cache.HEADER] == "bypass"


def test_every_content_model_bumps_the_version(pages):
    from clinic.models import ClinicDetails

    def bumps(change):
        before = page_cache.content_version()
        change()
        return page_cache.content_version() > before

    term = make_term()
    assert bumps(lambda: term.save())
    assert bumps(lambda: term.delete())
    assert bumps(lambda: ClinicDetails(name="Another clinic").save())
    assert bumps(lambda: pages["procedure"].conditions.clear())
    assert bumps(lambda: make_faq())
    assert not bumps(lambda: Group.objects.create(name="not content"))


def test_a_model_registered_later_is_followed_without_more_code():
    registry.register_model("later-model", Group)
    try:
        before = page_cache.content_version()
        Group.objects.create(name="a later page type")
        assert page_cache.content_version() > before
    finally:
        del registry._models["later-model"]


def test_a_lost_version_starts_again_later_never_earlier(client, pages):
    url = pages["procedure"].get_absolute_url()
    client.get(url)
    old = page_cache.content_version()
    cache.delete(page_cache.VERSION_KEY)
    assert page_cache.content_version() > old
    assert client.get(url)[page_cache.HEADER] == "miss"


def test_a_transaction_bumps_the_version_once_more_when_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            make_term()
    assert callbacks.count(page_cache.bump_content_version) == 1
