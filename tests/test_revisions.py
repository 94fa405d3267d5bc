"""Revision history: who changed what and when, a readable comparison, restore."""

import pytest
from django.conf import settings

from editorial import loader
from editorial.history import Outcome
from glossary.models import GlossaryTerm
from procedures.models import Procedure
from tests.admin_forms import admin_url, change_url, form_data
from tests.factories import (
    PROCEDURE_BODY,
    make_faq,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_load_content_records_revisions_as_load_content(client, site_content):
    page = Procedure.objects.get(slug="epidural-steroid-injection")
    record = page.history.latest()
    assert record.history_user is None and record.history_change_reason == "load_content"
    client.force_login(make_user(superuser=True))
    response = client.get(admin_url(Procedure, "history", page.pk))
    assert response.status_code == 200
    assert "load_content" in response.content.decode()


def test_a_second_identical_load_adds_no_revision(site_content):
    before = Procedure.history.count()
    loader.load(settings.CONTENT_DIR)
    assert Procedure.history.count() == before


def test_admin_edit_records_who(client):
    page = make_procedure()
    reviewer = make_reviewer("dr_reviewer")
    client.force_login(reviewer)
    data = form_data(client.get(change_url(page)), summary="Edited summary.")
    assert client.post(change_url(page), data).status_code == 302
    record = page.history.latest()
    assert record.history_user == reviewer
    assert record.summary == "Edited summary."
    history = client.get(admin_url(Procedure, "history", page.pk)).content.decode()
    assert "dr_reviewer" in history and "summary" in history


def test_glossary_rerender_adds_no_revisions():
    page = make_procedure()
    faq = make_faq()
    before = page.history.count(), faq.history.count()
    make_term(term="Needle", slug="needle")
    assert (page.history.count(), faq.history.count()) == before


def test_compare_shows_removed_and_added_lines(client):
    page = make_procedure(body="## What it is\n\nOld first line.\n\nSame line.")
    first = page.history.latest()
    page.body = "## What it is\n\nNew first line.\n\nSame line."
    page.save()
    client.force_login(make_reviewer())
    response = client.get(admin_url(Procedure, "compare", page.pk, first.history_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<del class="diff-line"><mark>Old </mark>first line.</del>' in html
    assert '<ins class="diff-line"><mark>New </mark>first line.</ins>' in html
    assert "Restore this version" in html


def test_restore_round_trip(client):
    # A whole procedure page: a reviewer cannot put live one that misses its sections.
    original_body = PROCEDURE_BODY.replace("A small shot near a nerve.", "The original text.")
    page = make_procedure(body=original_body)
    original_html = page.body_html
    original = page.history.latest()
    client.force_login(make_reviewer())
    data = form_data(
        client.get(change_url(page)), body=original_body.replace("The original", "A mistake")
    )
    assert client.post(change_url(page), data).status_code == 302
    page.refresh_from_db()
    assert "A mistake text." in page.body_html
    count = page.history.count()

    response = client.post(
        admin_url(Procedure, "restore", page.pk, original.history_id),
        {"loaded_version": page.version},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == original_body
    assert page.body_html == original_html  # the HTML was rendered again
    assert page.history.count() == count + 1  # restoring adds a revision, deletes none
    assert page.history.latest().history_change_reason.startswith("Restored the version of")
    assert "The original text." in client.get(page.get_absolute_url()).content.decode()


def test_restore_from_a_stale_comparison_is_a_conflict_not_a_silent_overwrite(client):
    page = make_procedure(summary="First.")
    first = page.history.latest()
    stale_version = page.version
    page.summary = "Second."
    page.save()
    client.force_login(make_reviewer())
    response = client.post(
        admin_url(Procedure, "restore", page.pk, first.history_id),
        {"loaded_version": stale_version},
        follow=True,
    )
    assert "changed this page while you were editing it" in response.content.decode()
    page.refresh_from_db()
    assert page.summary == "Second."


def test_restore_works_for_glossary_terms(client):
    term = make_term(definition="The first definition.")
    first = term.history.latest()
    term.definition = "A worse definition."
    term.save()
    client.force_login(make_reviewer())
    client.post(
        admin_url(GlossaryTerm, "restore", term.pk, first.history_id),
        {"loaded_version": term.version},
    )
    term.refresh_from_db()
    assert term.definition == "The first definition."
    assert "The first definition." in term.definition_html


def test_the_library_revert_form_is_replaced_by_compare(client):
    page = make_procedure()
    record = page.history.latest()
    client.force_login(make_reviewer())
    response = client.post(
        admin_url(Procedure, "simple_history", page.pk, record.history_id), {"status": "draft"}
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url(Procedure, "compare", page.pk, record.history_id)


def test_waiting_changes_are_recorded_with_the_fields_changed(client):
    page = make_procedure()
    from tests.factories import make_editor

    client.force_login(make_editor())
    data = form_data(
        client.get(change_url(page)),
        summary="New summary.",
        main_message="New message.",
        used_for="A" * 50,
        duration="B" * 50,
        sedation="C",
        driver="D",
    )
    assert client.post(change_url(page), data).status_code == 302
    record = page.history.latest()
    assert record.history_change_reason == "Changes submitted for review"
    assert record.outcome == Outcome.WAITING and not record.live
    history = client.get(admin_url(Procedure, "history", page.pk)).content.decode()
    assert "summary, main message" in history and "Waiting for review" in history
