"""'Was this page helpful?': the form on every procedure and condition page, the
endpoint's protections (same origin, rate limit, honeypot), no personal data and
no comment in any log, and what staff see in the admin."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from feedback.admin import page_counts, spreadsheet_safe
from feedback.models import Feedback
from feedback.protection import rate_key
from procedures.models import Condition, Procedure
from tests.factories import make_condition, make_procedure, make_user

pytestmark = pytest.mark.django_db

URL = "/feedback/"
ORIGIN = "http://testserver"


def post(
    client,
    page,
    *,
    helpful="yes",
    comment="",
    origin=ORIGIN,
    ip="203.0.113.7",
    forwarded=None,
    **extra,
):
    data = {
        "page_type": "procedure" if isinstance(page, Procedure) else "condition",
        "page": page.slug,
        "helpful": helpful,
        "comment": comment,
        **extra,
    }
    headers = {"REMOTE_ADDR": ip}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if origin:
        headers["HTTP_ORIGIN"] = origin
    return client.post(URL, data, **headers)


@pytest.fixture
def procedure():
    return make_procedure(title="Test block", slug="test-block")


def test_form_on_every_procedure_and_condition_page(client, site_content):
    pages = [*Procedure.objects.published(), *Condition.objects.published()]
    assert len(pages) > 20
    for page in pages:
        html = client.get(page.get_absolute_url()).content.decode()
        assert 'id="feedback"' in html, page
        assert 'action="/feedback/"' in html
        assert f'name="page" value="{page.slug}"' in html
        assert "do not write your name or anything about your health" in html
        assert "In an emergency, call" in html


def test_an_anonymous_answer_reaches_the_admin_list(client, procedure):
    response = post(client, procedure, helpful="no", comment="The words are too small.\r\nOk")
    assert response.status_code == 303
    assert response["Location"] == "/procedures/test-block/?feedback=thanks#feedback"
    item = Feedback.objects.get()
    assert (item.page_type, item.page_slug, item.page_title) == (
        "procedure",
        "test-block",
        "Test block",
    )
    assert item.helpful is False and item.comment == "The words are too small.\nOk"
    # No personal data: the model has no field for an address, browser or account.
    fields = {f.name for f in Feedback._meta.get_fields()}
    assert fields == {"id", "page_type", "page_slug", "page_title", "helpful", "comment", "created"}

    admin = make_user(staff=True, superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:feedback_feedback_changelist"))
    assert listing.status_code == 200
    assert "The words are too small." in listing.content.decode()


def test_the_thank_you_shows_after_the_redirect(client, procedure):
    html = client.get("/procedures/test-block/?feedback=thanks").content.decode()
    assert "Thank you for your answer" in html
    assert 'action="/feedback/"' not in html


def test_condition_pages_take_answers_too(client):
    condition = make_condition(slug="test-ache")
    response = post(client, condition, helpful="yes")
    assert response["Location"] == "/conditions/test-ache/?feedback=thanks#feedback"
    assert Feedback.objects.get().page_type == "condition"


def test_procedure_pages_stay_publicly_cacheable_with_the_form(client, procedure):
    response = client.get(procedure.get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert not response.cookies  # no CSRF cookie, no session
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_post_from_another_site_is_refused(client, procedure):
    assert post(client, procedure, origin="https://evil.example.org").status_code == 403
    assert post(client, procedure, origin="null").status_code == 403
    assert post(client, procedure, origin=None).status_code == 403  # neither Origin nor Referer
    ok = client.post(
        URL,
        {"page_type": "procedure", "page": "test-block", "helpful": "yes"},
        HTTP_REFERER="http://testserver/procedures/test-block/",
    )
    assert ok.status_code == 303
    assert Feedback.objects.count() == 1


@override_settings(SITE_URL="https://clinic.example.org")
def test_the_configured_site_address_is_a_valid_origin(client, procedure):
    assert post(client, procedure, origin="https://clinic.example.org").status_code == 303


def test_only_get_is_refused_and_bad_input_is_a_400(client, procedure):
    assert client.get(URL).status_code == 405
    assert post(client, procedure, helpful="maybe").status_code == 400
    assert post(client, procedure, comment="x" * 501).status_code == 400
    assert (
        client.post(
            URL, {"page_type": "procedure", "page": "nope", "helpful": "yes"}, HTTP_ORIGIN=ORIGIN
        ).status_code
        == 400
    )
    draft = make_procedure(status="draft")
    assert post(client, draft).status_code == 400
    assert post(client, procedure, comment="x" * 500).status_code == 303
    assert Feedback.objects.count() == 1


def test_the_honeypot_thanks_a_robot_and_keeps_nothing(client, procedure):
    response = post(client, procedure, website="http://spam.example.org")
    assert response.status_code == 303 and "feedback=thanks" in response["Location"]
    assert not Feedback.objects.exists()


def test_100_rapid_posts_from_one_address_are_limited(client, procedure, settings):
    settings.FEEDBACK_RATE_LIMIT = 10
    statuses = [post(client, procedure, comment=f"post {n}").status_code for n in range(100)]
    assert statuses[:10] == [303] * 10
    assert set(statuses[10:]) == {429}
    assert Feedback.objects.count() == 10
    # Another address is not held back by the first one.
    assert post(client, procedure, ip="198.51.100.20").status_code == 303
    limited = post(client, procedure)
    assert "try again later" in limited.content.decode()


def test_the_rate_limit_key_never_holds_the_address(rf, settings):
    request = rf.post(URL, REMOTE_ADDR="203.0.113.7")
    key = rate_key(request, now=0)
    assert "203.0.113.7" not in key
    other = rf.post(URL, REMOTE_ADDR="203.0.113.8")
    assert rate_key(other, now=0) != key
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-000000"
    assert rate_key(request, now=0) != key  # salted with the site's secret


def test_behind_a_trusted_proxy_the_visitors_address_is_counted(client, procedure, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.FEEDBACK_RATE_LIMIT = 2
    for n in range(2):
        assert (
            post(client, procedure, ip="10.0.0.1", forwarded=f"198.51.100.{n + 1}").status_code
            == 303
        )
    assert post(client, procedure, ip="10.0.0.1", forwarded="198.51.100.1").status_code == 303
    assert post(client, procedure, ip="10.0.0.1", forwarded="198.51.100.1").status_code == 429


def test_no_comment_text_appears_in_any_log(client, procedure, caplog, settings):
    secret = "MY-PRIVATE-WORDS-4711"
    settings.FEEDBACK_RATE_LIMIT = 3
    caplog.set_level(logging.DEBUG)
    post(client, procedure, comment=secret)  # saved
    post(client, procedure, comment=secret, helpful="maybe")  # 400
    post(client, procedure, comment=secret, origin="https://evil.example.org")  # 403
    post(client, procedure, comment=secret + "x" * 600)  # 400, too long
    for _ in range(3):
        post(client, procedure, comment=secret)  # the last ones are 429
    assert Feedback.objects.filter(comment=secret).exists()
    assert caplog.records  # Django did log the refusals...
    assert secret not in caplog.text  # ...but never what was written
    for record in caplog.records:
        assert secret not in str(record.__dict__)


def test_admin_counts_per_page_and_csv_export(client, procedure):
    other = make_condition(title="Test ache", slug="test-ache")
    post(client, procedure, helpful="yes")
    post(client, procedure, helpful="no", comment='=HYPERLINK("http://evil.example.org")')
    post(client, procedure, helpful="no", comment="Too long")
    post(client, other, helpful="yes", comment="Clear, thanks")
    cache.clear()

    counts = page_counts(Feedback.objects.all())
    assert counts[0]["page_slug"] == "test-block"
    assert (counts[0]["yes"], counts[0]["no"], counts[0]["comments"]) == (1, 2, 2)
    assert counts[0]["helpful_percent"] == 33
    assert (counts[1]["yes"], counts[1]["no"], counts[1]["helpful_percent"]) == (1, 0, 100)

    client.force_login(make_user(staff=True, superuser=True))
    changelist = reverse("admin:feedback_feedback_changelist")
    html = client.get(changelist).content.decode()
    assert "Answers per page" in html and "Test ache" in html
    filtered = client.get(changelist, {"page": "condition:test-ache"}).content.decode()
    assert "Clear, thanks" in filtered and "Too long" not in filtered

    response = client.post(
        changelist,
        {"action": "export_csv", "_selected_action": [f.pk for f in Feedback.objects.all()]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["sent", "page type", "page", "page address", "helpful", "comment"]
    assert len(rows) == 5
    comments = {row[5] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example.org")' in comments  # never a formula
    assert any(row[3].endswith("/procedures/test-block/") for row in rows[1:])


def test_answers_are_read_only_in_the_admin(client, procedure):
    post(client, procedure, comment="hello")
    item = Feedback.objects.get()
    client.force_login(make_user(staff=True, superuser=True))
    assert client.get(reverse("admin:feedback_feedback_add")).status_code == 403
    change = client.get(reverse("admin:feedback_feedback_change", args=[item.pk]))
    assert change.status_code == 200 and 'name="comment"' not in change.content.decode()


def test_roles_can_read_feedback_and_reviewers_can_delete(db):
    from django.contrib.auth.models import Group

    editor = set(
        Group.objects.get(name="Content editor").permissions.values_list("codename", flat=True)
    )
    reviewer = set(
        Group.objects.get(name="Clinical reviewer").permissions.values_list("codename", flat=True)
    )
    assert "view_feedback" in editor and "delete_feedback" not in editor
    assert {"view_feedback", "delete_feedback"} <= reviewer
    assert "change_feedback" not in reviewer


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("-2") == "'-2"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("Fine") == "Fine"


def test_the_tools_and_the_endpoint_send_every_security_header(procedure):
    from django.test import Client

    from tests.security import unsafe_html
    from tests.test_security_headers import HTTPS, PRODUCTION, assert_security_headers

    block = make_procedure(kind="diagnostic", slug="test-diag-block")
    with override_settings(**PRODUCTION):
        client = Client(**HTTPS, HTTP_HOST="testserver")  # as a browser sends it
        for url in (f"/procedures/{block.slug}/sheet/", f"/procedures/{block.slug}/diary/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_security_headers(response)
            assert unsafe_html(response.content.decode()) == []
        sent = client.post(
            URL,
            {"page_type": "procedure", "page": procedure.slug, "helpful": "yes"},
            HTTP_ORIGIN="https://testserver",
        )
        assert sent.status_code == 303
        assert_security_headers(sent)
        refused = client.post(URL, {"page": procedure.slug}, HTTP_ORIGIN="https://evil.example.org")
        assert refused.status_code == 403
        assert_security_headers(refused)
        client.force_login(make_user(superuser=True))
        listing = client.get(reverse("admin:feedback_feedback_changelist"))
        assert listing.status_code == 200
        assert_security_headers(listing)
        assert unsafe_html(listing.content.decode()) == []
