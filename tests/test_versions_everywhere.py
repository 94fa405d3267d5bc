"""Versions everywhere (issue 16, item 2): a load while a change waits, --force, a stale
waiting change, and text the renderer refuses in the live preview."""

import pytest

from core.pages import Status
from editorial import loader, workflow
from editorial.history import Outcome
from procedures.models import Procedure
from tests.admin_forms import admin_url
from tests.factories import make_reviewer, make_user, make_waiting_change
from tests.test_loader import PROCEDURE, write_set

pytestmark = pytest.mark.django_db


def loaded_page(tmp_path):
    loader.load(write_set(tmp_path / "first"))
    return Procedure.objects.get(slug="test-block")


def test_a_load_skips_a_page_with_a_waiting_change_and_says_so(tmp_path):
    page = loaded_page(tmp_path)
    waiting = make_waiting_change(page, summary="An editor's waiting summary.")
    changed = PROCEDURE.replace("summary: ", "summary: A new summary from the file. ", 1)
    report = loader.load(write_set(tmp_path / "second", **{"procedures/test-block.md": changed}))
    assert report.counts["procedure"]["skipped"] == 1
    assert any("waiting for review" in line for line in report.skipped)
    page.refresh_from_db()
    assert "A new summary from the file." not in page.summary
    assert workflow.waiting_change(page).history_id == waiting.history_id


def test_force_loads_the_file_and_keeps_the_waiting_change_in_history(tmp_path):
    page = loaded_page(tmp_path)
    waiting = make_waiting_change(page, summary="An editor's waiting summary.")
    changed = PROCEDURE.replace("summary: ", "summary: A new summary from the file. ", 1)
    loader.load(write_set(tmp_path / "second", **{"procedures/test-block.md": changed}), force=True)
    page.refresh_from_db()
    assert page.summary.startswith("A new summary from the file.")
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.SUPERSEDED
    assert waiting.summary == "An editor's waiting summary."  # nothing is lost
    assert workflow.waiting_change(page) is None


def test_a_waiting_change_is_never_published_over_newer_text(tmp_path):
    page = loaded_page(tmp_path)
    make_waiting_change(page, summary="Written against the old text.")
    changed = PROCEDURE.replace("summary: ", "summary: Newer text from the file. ", 1)
    loader.load(write_set(tmp_path / "second", **{"procedures/test-block.md": changed}), force=True)
    # force set that change aside; a new one written against the old version is stale:
    old = page.history.filter(live=True).order_by("history_id").first()
    stale = workflow._propose(
        page, workflow.record_values(old) | {"summary": "Stale change."}, None,
        event="submitted", outcome=Outcome.WAITING, base_version=old.version,
    )  # fmt: skip
    with pytest.raises(workflow.Stale):
        workflow.publish(page, make_reviewer())
    page.refresh_from_db()
    assert page.summary.startswith("Newer text from the file.")
    stale.refresh_from_db()
    assert stale.outcome == Outcome.WAITING  # still there for the reviewer to decide


def test_publish_selected_refuses_a_stale_waiting_change(client, tmp_path):
    page = loaded_page(tmp_path)
    page.status = Status.PUBLISHED
    page.save()
    make_waiting_change(page, summary="Written against the old text.")
    page.summary = "A reviewer changed the page meanwhile."
    page.save()
    client.force_login(make_reviewer())
    response = client.post(
        admin_url(Procedure, "changelist"),
        {"action": "publish_selected", "_selected_action": [page.pk]},
        follow=True,
    )
    assert "Not published" in response.content.decode()
    page.refresh_from_db()
    assert page.summary == "A reviewer changed the page meanwhile."


def test_the_live_preview_refuses_too_complex_text_with_a_message(client):
    client.force_login(make_user(superuser=True))
    response = client.post(admin_url(Procedure, "markdown_preview"), {"text": "[" * 27_000})
    assert response.status_code == 400
    assert response.json()["error"]
