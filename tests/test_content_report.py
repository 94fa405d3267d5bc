"""``manage.py content_report``: exits non-zero, naming the page, when something needs attention."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.pages import Status
from procedures.models import Condition, Procedure
from tests.factories import make_figure, make_procedure

pytestmark = pytest.mark.django_db


def report():
    out = StringIO()
    try:
        call_command("content_report", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def fresh_review_dates():
    today = timezone.localdate()
    for model in (Procedure, Condition):
        model.objects.update(reviewed_on=today, next_review_due=today + datetime.timedelta(300))


def test_the_real_content_needs_no_attention(site_content):
    fresh_review_dates()  # the content's own dates are fixed; keep the test independent of today
    ok, output = report()
    assert ok, output
    assert "Nothing needs attention." in output
    assert "procedure 'epidural-steroid-injection': median" in output
    assert "internal link(s) checked" in output


def test_overdue_review_fails_and_names_the_page(db):
    today = timezone.localdate()
    make_procedure(slug="late-page", next_review_due=today - datetime.timedelta(days=1))
    make_procedure(slug="soon-page", next_review_due=today + datetime.timedelta(days=5))
    ok, output = report()
    assert not ok
    assert "procedure 'late-page': review overdue" in output
    assert "due soon: procedure 'soon-page'" in output


def test_drafts_are_not_reported_as_overdue(db):
    today = timezone.localdate()
    make_procedure(
        slug="draft-page", status=Status.DRAFT, next_review_due=today - datetime.timedelta(9)
    )
    ok, output = report()
    assert ok, output


def test_hard_reading_fails_and_names_page_and_section(db):
    hard = (
        "## Complications\n\nIntraprocedural administration of corticosteroid preparations "
        "necessitates comprehensive consideration of contraindications, pharmacological "
        "interactions, and individualised physiological susceptibility characteristics."
    )
    make_procedure(
        slug="hard-page",
        body=hard,
        next_review_due=timezone.localdate() + datetime.timedelta(100),
    )
    ok, output = report()
    assert not ok
    assert "procedure 'hard-page': section 'Complications' reads at grade" in output


def test_image_without_alt_text_fails(db):
    make_figure("no-alt", alt="")
    ok, output = report()
    assert not ok
    assert "image 'no-alt' has no alt text" in output


def test_internal_links_to_nowhere_or_to_drafts_fail(db):
    due = timezone.localdate() + datetime.timedelta(100)
    draft = make_procedure(slug="hidden-draft", status=Status.DRAFT, next_review_due=due)
    body = (
        "## Links\n\nSee [a missing page](/procedures/no-such-page/), "
        f"[a draft]({draft.get_absolute_url()}), [nowhere](/nowhere/) and "
        "[a missing question](/faq/#no-such-question). Also [fine](/procedures/)."
    )
    make_procedure(slug="linking-page", body=body, next_review_due=due)
    ok, output = report()
    assert not ok
    assert "link to /procedures/no-such-page/ goes to a page that does not exist" in output
    assert "link to /procedures/hidden-draft/ goes to a page that does not exist" in output
    assert "link to /nowhere/ goes to no page" in output
    assert "link to /faq/#no-such-question points to '#no-such-question'" in output
    assert "link to /procedures/ " not in output


def test_pages_no_clinician_has_checked_are_listed_but_do_not_fail(db):
    make_procedure(slug="unchecked-page")
    ok, output = report()
    assert ok, output
    assert "awaiting a first clinical review: procedure 'unchecked-page'" in output
