"""editorial.workflow: focused regressions (the random sequences are in
test_workflow_properties.py)."""

import pytest

from editorial import workflow
from editorial.history import Event, Outcome
from tests.factories import make_editor, make_procedure, make_reviewer

pytestmark = pytest.mark.django_db


def test_a_reviewer_restoring_another_version_replaces_the_waiting_change():
    """History must not call a waiting change "published" when patients never saw it."""
    page = make_procedure(summary="The first summary.")
    first = page.history.latest()
    editor, reviewer = make_editor(), make_reviewer()
    values = {**workflow.proposed_values(page), "summary": "The editor's new summary."}
    waiting = workflow.save(page, values, editor, base=workflow.base_of(page)).record
    assert waiting.outcome == Outcome.WAITING

    result = workflow.restore(page, first, reviewer, base=workflow.base_of(page))

    assert result.event == Event.RESTORED
    page.refresh_from_db()
    assert page.summary == "The first summary."
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.SUPERSEDED
    assert waiting.summary == "The editor's new summary."  # still in History


def test_a_reviewer_restoring_the_waiting_text_itself_publishes_it():
    page = make_procedure(summary="The first summary.")
    editor, reviewer = make_editor(), make_reviewer()
    values = {**workflow.proposed_values(page), "summary": "The editor's new summary."}
    waiting = workflow.save(page, values, editor, base=workflow.base_of(page)).record

    workflow.restore(page, waiting, reviewer, base=workflow.base_of(page))

    page.refresh_from_db()
    waiting.refresh_from_db()
    assert page.summary == "The editor's new summary."
    assert waiting.outcome == Outcome.PUBLISHED


def test_a_reviewer_editing_the_waiting_change_replaces_it():
    """The reviewer's own text went live, not the editor's as written: History says so."""
    page = make_procedure(summary="The first summary.")
    editor, reviewer = make_editor(), make_reviewer()
    values = {**workflow.proposed_values(page), "summary": "The editor's new summary."}
    waiting = workflow.save(page, values, editor, base=workflow.base_of(page)).record

    shown = workflow.proposed_values(page)
    assert shown["summary"] == "The editor's new summary."
    edited = {**shown, "summary": "The editor's new summary, checked."}
    assert workflow.save(page, edited, reviewer, base=workflow.base_of(page)).event == (
        Event.PUBLISHED
    )
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.SUPERSEDED
    assert waiting.summary == "The editor's new summary."  # still in History
