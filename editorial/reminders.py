"""Review reminders by email: each clinical reviewer hears, once a day, which pages fall due.

A page is due when it is published, its type has a medical review (``reviewed`` in
``core.registry``) and its next review date is past or within ``days`` (30). The
reviewers are the active users in the "Clinical reviewer" group, and superusers,
who have an email address. Each gets one plain-text email listing the pages they
may see, with links into the admin; nobody gets an email when nothing is due.

Sending is once a day per person: a ``ReviewReminder`` row (person, clinic date) is
written before the email goes, and the database refuses a second one. If the email
cannot be sent, the row is removed again so the next run tries once more.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.registry import registry
from editorial.models import ReviewReminder

REVIEWER_GROUP = "Clinical reviewer"
SOON_DAYS = 30

log = logging.getLogger("editorial.reminders")


@dataclass(frozen=True)
class DuePage:
    title: str
    kind: str  # "procedure", "FAQ", ...
    due: datetime.date
    url: str  # the page's form in the admin, as a full address
    perm: str  # the permission needed to see it ("procedures.view_procedure")


def clinic_today() -> datetime.date:
    """Today's date where the clinic is (Clinic details), not where the server is."""
    name = (registry.clinic_source() or {}).get("time_zone") or settings.TIME_ZONE
    try:
        return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.localdate()


def due_pages(today: datetime.date, days: int = SOON_DAYS) -> list[DuePage]:
    """Published pages whose review is overdue or due within ``days``, soonest first."""
    pages = []
    for page_type in registry:
        if not page_type.reviewed:
            continue
        model = page_type.model
        opts = model._meta
        due = (
            model.objects.published()
            .filter(next_review_due__lte=today + datetime.timedelta(days=days))
            .only("pk", page_type.name_field, "next_review_due")
        )
        for page in due:
            path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[page.pk])
            pages.append(
                DuePage(
                    title=str(getattr(page, page_type.name_field)),
                    kind=str(opts.verbose_name),
                    due=page.next_review_due,
                    url=settings.SITE_URL + path,
                    perm=f"{opts.app_label}.view_{opts.model_name}",
                )
            )
    return sorted(pages, key=lambda p: (p.due, p.title))


def reviewers():
    """Active clinical reviewers and superusers with an email address."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=REVIEWER_GROUP) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def message(user, pages: list[DuePage], today: datetime.date, clinic: str) -> tuple[str, str]:
    """The subject and plain-text body of one reviewer's email."""
    overdue = [p for p in pages if p.due < today]
    soon = [p for p in pages if p.due >= today]
    count = len(pages)
    subject = f"{clinic}: {count} page{'s' if count != 1 else ''} to review"
    lines = [
        f"Hello {user.get_short_name() or user.get_username()},",
        "",
        f"These published pages on the {clinic} website need a medical review.",
    ]
    for heading, group in (
        ("Overdue", overdue),
        (f"Due in the next {SOON_DAYS} days", soon),
    ):
        if not group:
            continue
        lines += ["", f"{heading}:"]
        for page in group:
            when = "due today" if page.due == today else f"due {page.due:%d %b %Y}"
            lines += [f"- {page.title} ({page.kind}), {when}", f"  {page.url}"]
    lines += [
        "",
        "Open each page, check it against current advice, and fill in Medical review "
        "(reviewed on, reviewed by) before you save.",
        "",
        "You get this email at most once a day, while pages are due.",
    ]
    return subject, "\n".join(lines) + "\n"


@dataclass
class Outcome:
    sent: int = 0  # emails sent
    already: int = 0  # people who had today's email already
    failed: int = 0  # emails that could not be sent (tried again next run)
    pages: int = 0  # pages due


def send_review_reminders(today: datetime.date | None = None, days: int = SOON_DAYS) -> Outcome:
    """Email each reviewer the pages due for review, once per clinic day. See the module."""
    today = today or clinic_today()
    clinic = (registry.clinic_source() or {}).get("name") or "Clinic website"
    pages = due_pages(today, days)
    outcome = Outcome(pages=len(pages))
    if not pages:
        log.info("Review reminders: no page is due for review; no email sent.")
        return outcome
    for user in reviewers():
        mine = [p for p in pages if user.has_perm(p.perm)]
        if not mine:
            continue
        try:
            with transaction.atomic():
                record = ReviewReminder.objects.create(user=user, day=today, pages=len(mine))
        except IntegrityError:
            outcome.already += 1
            continue
        subject, body = message(user, mine, today, clinic)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            record.delete()
            outcome.failed += 1
            log.exception("Review reminders: the email to user %s could not be sent.", user.pk)
            continue
        outcome.sent += 1
        log.info(
            "Review reminders: emailed user %s (%s) about %d page(s).",
            user.pk,
            user.get_username(),
            len(mine),
        )
    return outcome
