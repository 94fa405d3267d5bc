"""Roles: a content editor cannot publish or mark a page reviewed by any route."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from core.pages import Status, one_year_after
from core.registry import registry
from editorial import workflow
from procedures.models import Procedure
from tests.admin_forms import admin_url, change_url, form_data
from tests.factories import make_editor, make_procedure, make_reviewer

pytestmark = pytest.mark.django_db


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_roles_migration_makes_both_groups():
    editor, reviewer = perms("Content editor"), perms("Clinical reviewer")
    assert {"procedures.add_procedure", "procedures.change_procedure", "faq.change_faq",
            "glossary.change_glossaryterm", "figures.add_figure"} <= editor  # fmt: skip
    assert "editorial.publish_content" not in editor
    assert "editorial.review_content" not in editor
    assert "procedures.delete_procedure" not in editor
    assert editor < reviewer
    assert {"editorial.publish_content", "editorial.review_content"} <= reviewer


def test_both_roles_can_write_every_registered_page_type():
    """A new page type (a new app) must give its permissions to the roles, or staff can't
    edit it."""
    editor, reviewer = perms("Content editor"), perms("Clinical reviewer")
    for page_type in registry:
        opts = page_type.model._meta
        writing = {
            f"{opts.app_label}.{action}_{opts.model_name}" for action in ("add", "change", "view")
        }
        assert writing <= editor, page_type.name
        assert f"{opts.app_label}.delete_{opts.model_name}" in reviewer, page_type.name
        assert f"{opts.app_label}.delete_{opts.model_name}" not in editor, page_type.name


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


@pytest.fixture
def reviewer_client(client):
    client.force_login(make_reviewer())
    return client


def test_editor_add_form_with_crafted_status_saves_a_draft(editor_client):
    response = editor_client.get(admin_url(Procedure, "add"))
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    draft = make_procedure(status=Status.DRAFT)
    data = form_data(editor_client.get(change_url(draft)))
    data.pop("loaded_version")
    data.update(slug="crafted-page", title="Crafted page", status="published",
                reviewed_on="2020-01-01", next_review_due="2099-01-01")  # fmt: skip
    response = editor_client.post(admin_url(Procedure, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = Procedure.objects.get(slug="crafted-page")
    assert page.status == Status.DRAFT
    assert page.reviewed_on is None and page.next_review_due is None
    assert page.reviewed_by == ""  # no review is claimed until a reviewer marks one


def test_editor_change_form_with_crafted_status_keeps_the_draft(editor_client):
    draft = make_procedure(status=Status.DRAFT)
    data = form_data(editor_client.get(change_url(draft)), status="published")
    data["summary"] = "Edited by the editor."
    assert editor_client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Edited by the editor."
    assert draft.status == Status.DRAFT


def test_editor_cannot_mark_reviewed_with_a_crafted_post(editor_client):
    page = make_procedure(status=Status.DRAFT, reviewed_on=None)
    data = form_data(editor_client.get(change_url(page)))
    data.update(reviewed_on=timezone.localdate().isoformat(), reviewed_by="Dr Crafted")
    assert editor_client.post(change_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.reviewed_on is None and page.reviewed_by == ""


def test_editor_cannot_unpublish_or_change_a_published_page_live(editor_client, client):
    page = make_procedure(status=Status.PUBLISHED)
    data = form_data(editor_client.get(change_url(page)), status="draft")
    data["main_message"] = "A change that needs a reviewer."
    assert editor_client.post(change_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.status == Status.PUBLISHED
    assert page.main_message == "It may help, and it may not."  # patients see the old text
    assert workflow.waiting_change(page).main_message == "A change that needs a reviewer."


def test_editor_has_no_publish_action_and_a_crafted_one_does_nothing(editor_client):
    draft = make_procedure(status=Status.DRAFT)
    changelist = admin_url(Procedure, "changelist")
    action_form = editor_client.get(changelist).context["action_form"]
    assert action_form is None or "publish_selected" not in dict(
        action_form.fields["action"].choices
    )
    editor_client.post(changelist, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_crafted_list_edit_does_not_publish(editor_client):
    draft = make_procedure(status=Status.DRAFT)
    editor_client.post(
        admin_url(Procedure, "changelist"),
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": draft.pk,
         "form-0-status": "published", "_save": "Save"},
    )  # fmt: skip
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_editor_restoring_a_published_revision_keeps_the_draft(editor_client):
    page = make_procedure(status=Status.PUBLISHED)
    published_revision = page.history.latest()
    page.status = Status.DRAFT
    page.save()
    response = editor_client.post(
        admin_url(Procedure, "restore", page.pk, published_revision.history_id),
        {"loaded_version": page.version},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == Status.DRAFT


def test_editor_cannot_delete(editor_client):
    page = make_procedure()
    assert (
        editor_client.post(admin_url(Procedure, "delete", page.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Procedure.objects.filter(pk=page.pk).exists()


def test_reviewer_publishes_a_draft_and_marks_it_reviewed(reviewer_client):
    draft = make_procedure(status=Status.DRAFT, reviewed_on=None)
    today = timezone.localdate()
    data = form_data(reviewer_client.get(change_url(draft)), status="published")
    data["reviewed_on"] = today.isoformat()
    data.pop("next_review_due", None)
    assert reviewer_client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.reviewed_on == today
    assert draft.next_review_due == one_year_after(today)


def test_editor_drafts_a_change_and_a_reviewer_publishes_it(client):
    page = make_procedure(status=Status.PUBLISHED)
    editor = make_editor()
    client.force_login(editor)
    data = form_data(client.get(change_url(page)), summary="A clearer summary.")
    assert client.post(change_url(page), data).status_code == 302
    assert client.get(page.get_absolute_url()).content.decode().count("A clearer summary.") == 0
    preview = client.get(admin_url(Procedure, "preview", page.pk))
    assert "A clearer summary." in preview.content.decode()

    client.force_login(make_reviewer())
    response = client.get(change_url(page))
    assert "A change is waiting for review" in response.content.decode()
    data = form_data(response)
    assert data["summary"] == "A clearer summary."  # the form shows the waiting changes
    assert client.post(change_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.summary == "A clearer summary." and workflow.waiting_change(page) is None
    client.logout()
    assert "A clearer summary." in client.get(page.get_absolute_url()).content.decode()


def test_reviewer_actions_publish_and_mark_reviewed(reviewer_client):
    drafts = [make_procedure(status=Status.DRAFT, reviewed_on=None) for _ in range(2)]
    changelist = admin_url(Procedure, "changelist")
    ids = [p.pk for p in drafts]
    reviewer_client.post(changelist, {"action": "publish_selected", "_selected_action": ids})
    reviewer_client.post(changelist, {"action": "mark_reviewed_today", "_selected_action": ids})
    today = timezone.localdate()
    for page in Procedure.objects.filter(pk__in=ids):
        assert page.status == Status.PUBLISHED
        assert page.reviewed_on == today
        assert page.next_review_due - today >= datetime.timedelta(days=365)


def test_a_new_review_date_moves_the_next_review_a_year_on(reviewer_client):
    today = timezone.localdate()
    old = today - datetime.timedelta(days=400)
    page = make_procedure(reviewed_on=old, next_review_due=one_year_after(old))
    data = form_data(reviewer_client.get(change_url(page)), reviewed_on=today.isoformat())
    assert reviewer_client.post(change_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.next_review_due == one_year_after(today)


def test_editor_restore_on_a_published_page_waits_for_review(editor_client):
    page = make_procedure(status=Status.PUBLISHED, summary="First summary.")
    first = page.history.latest()
    page.summary = "Second summary."
    page.save()
    editor_client.post(
        admin_url(Procedure, "restore", page.pk, first.history_id),
        {"loaded_version": page.version},
    )
    page.refresh_from_db()
    assert page.summary == "Second summary." and page.status == Status.PUBLISHED
    assert workflow.waiting_change(page).summary == "First summary."


def test_editor_cannot_change_an_image_shown_on_a_published_page(editor_client):
    from figures.models import Figure
    from tests.factories import make_figure

    used = make_figure("used-image")
    unused = make_figure("unused-image")
    make_procedure(status=Status.PUBLISHED, body="## What it is\n\n![A](images/used-image)\n")
    response = editor_client.post(
        admin_url(Figure, "change", used.pk), {"key": "used-image", "alt": "Changed"}
    )
    assert response.status_code == 403
    assert Figure.objects.get(pk=used.pk).alt == "A test diagram"
    assert editor_client.get(admin_url(Figure, "change", unused.pk)).status_code == 200
