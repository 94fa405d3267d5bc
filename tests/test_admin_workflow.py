"""The change form: Preview / View on site, stale-form refusal, live preview, review dates."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from core.pages import Status
from editorial import workflow
from editorial.history import Event, Outcome
from faq.models import FAQ
from glossary.models import GlossaryTerm
from procedures.models import Procedure
from tests.admin_forms import admin_url, change_url, form_data
from tests.factories import (
    make_condition,
    make_editor,
    make_faq,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_change_form_has_preview_view_on_site_and_live_preview(client):
    page = make_procedure(status=Status.DRAFT)
    client.force_login(make_editor())
    html = client.get(change_url(page)).content.decode()
    assert admin_url(Procedure, "preview", page.pk) in html and ">Preview<" in html
    assert "View on site" in html
    assert f'data-preview-url="{admin_url(Procedure, "markdown_preview")}"' in html
    assert 'data-source="id_body"' in html
    assert "js/admin-preview.js" in html and "css/admin.css" in html
    assert 'name="loaded_version"' in html


def test_preview_of_a_draft_is_marked_and_not_cached(client):
    page = make_procedure(status=Status.DRAFT, title="Secret draft")
    assert client.get(admin_url(Procedure, "preview", page.pk)).status_code == 302  # to login
    client.force_login(make_editor())
    response = client.get(admin_url(Procedure, "preview", page.pk))
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("maker", [make_faq, make_term])
def test_preview_of_faqs_and_terms(client, maker):
    obj = maker(status=Status.DRAFT)
    client.force_login(make_editor())
    response = client.get(admin_url(type(obj), "preview", obj.pk))
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_a_conflict_keeps_both_texts_and_lets_the_person_choose(client):
    page = make_procedure(summary="The original summary.")
    first, second = Client(), Client()
    first.force_login(make_reviewer())
    second.force_login(make_reviewer())
    first_data = form_data(first.get(change_url(page)), summary="Saved first.")
    second_data = form_data(second.get(change_url(page)), summary="My careful rewrite.")

    assert first.post(change_url(page), first_data).status_code == 302
    response = second.post(change_url(page), second_data)
    assert "/conflict/" in response["Location"]  # the conflict screen, not a silent save
    page.refresh_from_db()
    assert page.summary == "Saved first."
    mine = page.history.get(event=Event.CONFLICT)
    assert mine.summary == "My careful rewrite." and mine.outcome == Outcome.KEPT_ASIDE

    html = second.get(response["Location"]).content.decode()
    assert "changed this page while you were editing it" in html
    assert "<mark>Saved first.</mark>" in html and "<mark>My careful rewrite.</mark>" in html
    assert "Use my version" in html and "Merge by hand" in html and "Keep their version" in html

    # Choosing "Use my version" applies it; the other text stays in History.
    choose = second.get(response["Location"]).context
    assert (
        second.post(
            choose["restore_url"],
            {"loaded_version": choose["base"].version, "loaded_waiting": ""},
        ).status_code
        == 302
    )
    page.refresh_from_db()
    assert page.summary == "My careful rewrite."
    assert page.history.filter(summary="Saved first.").exists()


def test_two_editors_on_one_published_page_keep_both_changes(client):
    page = make_procedure(status=Status.PUBLISHED)
    editor_a, editor_b = Client(), Client()
    user_b = make_editor()
    editor_a.force_login(make_editor())
    editor_b.force_login(user_b)
    data_a = form_data(editor_a.get(change_url(page)), summary="A's change.")
    data_b = form_data(editor_b.get(change_url(page)), summary="B's change.")
    assert editor_a.post(change_url(page), data_a).status_code == 302
    response = editor_b.post(change_url(page), data_b)
    assert "/conflict/" in response["Location"]
    waiting = workflow.waiting_change(page)
    assert waiting.summary == "A's change."
    assert page.history.get(event=Event.CONFLICT).summary == "B's change."


def test_the_same_person_in_two_tabs_is_told_so(client):
    page = make_procedure(status=Status.DRAFT, summary="Start.")
    client.force_login(make_editor())
    tab1 = form_data(client.get(change_url(page)), summary="Tab one.")
    tab2 = form_data(client.get(change_url(page)), summary="Tab two.")
    assert client.post(change_url(page), tab1).status_code == 302
    response = client.post(change_url(page), tab2)
    html = client.get(response["Location"]).content.decode()
    assert "You, in another tab or window, changed this page" in html


def test_an_untouched_save_creates_nothing(client):
    page = make_procedure(status=Status.PUBLISHED, body="## What it is\n\nText.\n\n- one\n- two")
    page.refresh_from_db()
    client.force_login(make_editor())
    data = form_data(client.get(change_url(page)))
    data["body"] = data["body"].replace("\n", "\r\n")  # as browsers send it
    records = page.history.count()
    version = page.version
    response = client.post(change_url(page), data)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Nothing was changed, so nothing was saved."]
    page.refresh_from_db()
    assert page.version == version and page.history.count() == records
    assert workflow.waiting_change(page) is None
    assert "\r" not in page.body


@pytest.mark.parametrize(
    ("maker", "field", "rendered"),
    [
        (make_procedure, "body", "body_html"),
        (make_condition, "body", "body_html"),
        (make_faq, "answer", "answer_html"),
        (make_term, "definition", "definition_html"),
    ],
)
def test_live_preview_equals_the_saved_html(client, maker, field, rendered):
    make_term(term="Fluoroscopy", slug="fluoroscopy", definition="A live X-ray.")
    obj = maker(status=Status.DRAFT)
    client.force_login(make_editor())
    text = (
        "## What it is\n\nA shot guided by fluoroscopy.\n\n- one\n- two\n\n"
        '<script>alert(1)</script> [link](javascript:alert(1)) <b onclick="x()">bold</b>'
    )
    model = type(obj)
    response = client.post(
        admin_url(model, "markdown_preview"), {"text": text, "slug": getattr(obj, "slug", "")}
    )
    assert response.status_code == 200
    preview = response.json()["html"]
    assert "<script" not in preview and "javascript:" not in preview and "onclick" not in preview

    data = form_data(client.get(change_url(obj)), **{field: text})
    assert client.post(change_url(obj), data).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, rendered) == preview


def test_live_preview_is_staff_only_post_only_and_csrf_protected(client):
    url = admin_url(FAQ, "markdown_preview")
    assert client.post(url, {"text": "hi"}).status_code == 302  # to the login page
    client.force_login(make_user(staff=True))  # staff without any permission
    assert client.post(url, {"text": "hi"}).status_code == 403
    client.force_login(make_editor())
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_editor())
    assert strict.post(url, {"text": "hi"}).status_code == 403


def test_review_filter(client):
    today = timezone.localdate()
    overdue = make_procedure(title="Overdue page", next_review_due=today - datetime.timedelta(1))
    soon = make_procedure(title="Soon page", next_review_due=today + datetime.timedelta(10))
    later = make_procedure(title="Later page", next_review_due=today + datetime.timedelta(200))
    client.force_login(make_editor())
    url = admin_url(Procedure, "changelist")

    def titles(value):
        response = client.get(url, {"review": value})
        return {p.title for p in response.context["cl"].result_list}

    assert titles("overdue") == {overdue.title}
    assert titles("soon") == {soon.title}
    assert titles("attention") == {overdue.title, soon.title}
    assert later.title not in titles("attention")


def test_index_panel_lists_overdue_and_soon_due_pages(client):
    today = timezone.localdate()
    make_procedure(title="Overdue page", next_review_due=today - datetime.timedelta(3))
    make_condition(title="Soon condition", next_review_due=today + datetime.timedelta(29))
    make_procedure(title="Later page", next_review_due=today + datetime.timedelta(31))
    client.force_login(make_editor())
    html = client.get(admin_url(Procedure, "changelist").split("procedures/")[0]).content.decode()
    assert "Medical review" in html
    assert "Overdue page" in html and "Soon condition" in html
    assert "Later page" not in html


def test_review_fields_are_read_only_for_editors_and_editable_for_reviewers(client):
    page = make_procedure()
    client.force_login(make_editor())
    fields = client.get(change_url(page)).context["adminform"].form.fields
    assert "reviewed_on" not in fields and "status" not in fields
    client.force_login(make_reviewer())
    fields = client.get(change_url(page)).context["adminform"].form.fields
    assert {"reviewed_on", "reviewed_by", "next_review_due", "status"} <= set(fields)


def test_reviewer_can_discard_waiting_changes_which_stay_in_history(client):
    page = make_procedure(status=Status.PUBLISHED)
    client.force_login(make_editor())
    client.post(change_url(page), form_data(client.get(change_url(page)), summary="Oops."))
    waiting = workflow.waiting_change(page)
    assert waiting is not None
    client.force_login(make_reviewer())
    response = client.post(
        admin_url(Procedure, "review", page.pk),
        {"action": "discard", "waiting": waiting.history_id},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert workflow.waiting_change(page) is None and page.summary == "A short test summary."
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.DISCARDED and waiting.summary == "Oops."


def test_unknown_image_reference_is_a_form_error(client):
    page = make_procedure(status=Status.DRAFT)
    client.force_login(make_editor())
    data = form_data(client.get(change_url(page)))
    data["body"] += "\n\n![A diagram](images/no-such-image.jpg)\n"
    response = client.post(change_url(page), data)
    assert response.status_code == 200
    assert "No image is called no-such-image" in response.content.decode()


def test_glossary_change_form_saves(client):
    term = make_term()
    client.force_login(make_reviewer())
    data = form_data(client.get(change_url(term)), definition="A *new* definition.")
    assert client.post(change_url(term), data).status_code == 302
    assert (
        GlossaryTerm.objects.get(pk=term.pk).definition_html == "<p>A <em>new</em> definition.</p>"
    )


def test_admin_preview_needs_permission(client):
    page = make_procedure(status=Status.DRAFT)
    client.force_login(make_user(staff=True))  # staff, but no permission on procedures
    assert client.get(admin_url(Procedure, "preview", page.pk)).status_code == 403
