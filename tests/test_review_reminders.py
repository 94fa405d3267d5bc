"""Review reminders by email: the right reviewers, the right pages, once a day."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from core.pages import Status
from editorial import reminders
from editorial.models import ReviewReminder
from tests.factories import (
    make_editor,
    make_faq,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)
from tests.test_settings import SHOW, production_env, python

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return reminders.clinic_today()


def with_email(user, email):
    user.email = email
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people():
    left = with_email(make_reviewer("left"), "left@example.org")
    left.is_active = False  # has left the clinic
    left.save()
    return {
        "rita": with_email(make_reviewer("rita"), "rita@example.org"),
        "ray": with_email(make_reviewer("ray"), "ray@example.org"),
        "no_email": make_reviewer("nomail"),
        "ann": with_email(make_editor("ann"), "ann@example.org"),
        "boss": with_email(make_user("boss", superuser=True), "boss@example.org"),
    }


@pytest.fixture
def pages(today):
    make_procedure(title="Old procedure", next_review_due=today - 10 * DAY)  # overdue
    make_faq(question="Soon question?", next_review_due=today + 12 * DAY)  # due soon
    make_procedure(title="Due today", next_review_due=today)
    make_procedure(title="Later procedure", next_review_due=today + 31 * DAY)  # not yet
    make_procedure(title="Draft procedure", status=Status.DRAFT, next_review_due=today - DAY)
    make_term(term="Unreviewed term")  # glossary terms have no medical review


def test_each_reviewer_gets_the_due_pages(people, pages, today):
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    to = sorted(message.to[0] for message in mail.outbox)
    assert to == ["boss@example.org", "ray@example.org", "rita@example.org"]
    body = next(m for m in mail.outbox if m.to == ["rita@example.org"]).body
    assert "Hello rita," in body
    overdue, soon = body.split("Overdue:")[1].split("Due in the next 30 days:")
    assert "Old procedure (procedure)" in overdue
    assert "Soon question? (FAQ)" in soon and "Due today (procedure), due today" in soon
    assert "Later procedure" not in body and "Draft procedure" not in body
    assert "Unreviewed term" not in body
    assert "http://" in body and "/admin/procedures/procedure/" in body
    assert mail.outbox[0].subject == "Example Pain Clinic: 3 pages to review"
    assert "3 page(s) due for review. Emails sent: 3" in out.getvalue()


def test_once_a_day(people, pages, today):
    reminders.send_review_reminders()
    assert len(mail.outbox) == 3
    second = reminders.send_review_reminders()
    assert len(mail.outbox) == 3 and second.sent == 0 and second.already == 3
    assert ReviewReminder.objects.filter(day=today).count() == 3
    reminders.send_review_reminders(today=today + DAY)  # the next day: again
    assert len(mail.outbox) == 6


def test_nothing_due_sends_nothing(people, today):
    make_procedure(next_review_due=today + 60 * DAY)
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    assert mail.outbox == []
    assert "No page is due for review" in out.getvalue()
    assert not ReviewReminder.objects.exists()


def test_a_failed_email_is_tried_again_next_run(people, pages):
    with mock.patch("editorial.reminders.send_mail", side_effect=OSError("no server")):
        with pytest.raises(Exception, match="could not be sent"):
            call_command("send_review_reminders", stdout=StringIO())
    assert not ReviewReminder.objects.exists()
    reminders.send_review_reminders()
    assert len(mail.outbox) == 3


def test_production_email_needs_a_sender_when_smtp_is_set():
    env = production_env(EMAIL_HOST="smtp.example.org", DEFAULT_FROM_EMAIL=None)
    result = python(SHOW, env)
    assert result.returncode != 0
    assert "DEFAULT_FROM_EMAIL is required in production" in result.stderr
    show = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
        "settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL)"
    )
    env = production_env(
        EMAIL_HOST="smtp.example.org", EMAIL_PORT="2525", DEFAULT_FROM_EMAIL="web@example.org"
    )
    result = python(show, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "2525",
        "True",
        "web@example.org",
    ]
    result = python(show.replace("settings.EMAIL_HOST, ", ""), production_env())
    assert result.stdout.startswith("django.core.mail.backends.console.EmailBackend")
