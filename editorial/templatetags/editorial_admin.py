"""The "medical review" panel on the admin index page."""

from django import template
from django.urls import reverse
from django.utils import timezone

from core.registry import registry
from editorial.history import Outcome

register = template.Library()
SOON_DAYS = 30


def review_rows(user, days=SOON_DAYS):
    """Published pages by review state: overdue, due soon, and never checked by a clinician."""
    today = timezone.localdate()
    overdue, soon, never = [], [], []
    for page_type in registry:
        if not page_type.reviewed:
            continue
        model = page_type.model
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        name = page_type.name_field
        pages = model.objects.published().only("pk", name, "next_review_due", "reviewed_on")
        for page in pages.review_overdue(today).order_by("next_review_due"):
            overdue.append(_row(page, name, opts, today))
        for page in pages.review_due_soon(days, today).order_by("next_review_due"):
            soon.append(_row(page, name, opts, today))
        for page in pages.filter(reviewed_on__isnull=True, next_review_due__isnull=True).order_by(
            name
        ):
            never.append(_row(page, name, opts, today))
    key = lambda row: row["due"]  # noqa: E731
    return sorted(overdue, key=key), sorted(soon, key=key), never


def _row(page, name, opts, today):
    due = page.next_review_due
    return {
        "title": getattr(page, name),
        "kind": opts.verbose_name,
        "due": due,
        "days": (due - today).days if due else None,
        "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[page.pk]),
    }


@register.inclusion_tag("admin/editorial/review_panel.html", takes_context=True)
def review_panel(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    overdue, soon, never = review_rows(request.user)
    return {"show": True, "overdue": overdue, "soon": soon, "never": never, "days": SOON_DAYS}


def waiting_rows(user) -> list[dict]:
    """Every change waiting for review that ``user`` may see: who, when, which page."""
    rows = []
    for page_type in registry:
        model = page_type.model
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        records = model.history.filter(outcome=Outcome.WAITING).select_related("history_user")
        for record in records.order_by("history_date"):
            rows.append(
                {
                    "title": getattr(record, page_type.name_field),
                    "kind": opts.verbose_name,
                    "who": str(record.history_user) if record.history_user else "someone",
                    "when": record.history_date,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_review", args=[record.id]
                    ),
                }
            )
    return sorted(rows, key=lambda row: row["when"])


@register.inclusion_tag("admin/editorial/review_queue.html", takes_context=True)
def review_queue(context):
    """The reviewer's desk on the admin home: pages waiting for review, oldest first."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    return {"show": True, "rows": waiting_rows(request.user)}
