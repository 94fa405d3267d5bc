"""The publishing workflow: named operations on a page.

Each operation is one transaction that writes exactly one history record saying
who, when and what (``editorial.history``); roles are enforced here, so every
route (admin form, list actions, restore, a script) obeys them. The admin only
calls these functions.

- ``save``: what a person's form save means for this page and this person: an
  edit of a draft, a change submitted for review (a published page edited by an
  editor), or a publish (a reviewer);
- ``submit``, ``publish``, ``unpublish``, ``discard``, ``send_back``, ``restore``,
  ``mark_reviewed``; ``record_load`` for the content loader.

Nothing a person wrote is destroyed. A change to a published page by someone who
cannot publish is a *waiting change*: a history record that is not live. A later
change replaces it as the waiting one but it stays in History ("replaced"), as do
discarded and sent-back changes, and a save made while someone else changed the
page ("kept aside"): the person then chooses on the conflict screen.

Every save states the version it was based on (``Base``). A save based on text
that has changed since is never applied: it is kept aside as a conflict. A
waiting change whose page changed after it was written is not published
(``Stale``); the reviewer sees both and decides.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.pages import (
    DEFAULT_REVIEWER,
    Status,
    content_fields,
    normalize_newlines,
    one_year_after,
    publish_problems,
)
from editorial.history import LOADER, Event, Outcome, current_links, link_fields, write_record

PUBLISH_PERMISSION = "editorial.publish_content"
REVIEW_PERMISSION = "editorial.review_content"
REVIEW_FIELDS = ("reviewed_on", "reviewed_by", "next_review_due")


def can_publish(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def can_review(user) -> bool:
    return bool(user and user.is_active and user.has_perm(REVIEW_PERMISSION))


class Stale(Exception):
    """A waiting change was written against text that has changed since."""

    def __init__(self, waiting, live_values: dict, waiting_values: dict):
        self.waiting = waiting
        self.live_values = live_values
        self.waiting_values = waiting_values
        super().__init__(
            "The page was changed after this waiting change was written, so it was not "
            "published. Compare the two versions and save the text you want."
        )


@dataclass(frozen=True)
class Base:
    """What a person's form was loaded from: the page version and the waiting change shown."""

    version: int
    waiting: int | None = None


@dataclass
class Result:
    event: str  # an Event value, or "unchanged" / "conflict"
    record: object = None
    theirs: object = None  # for a conflict: the change made in the meantime

    @property
    def changed(self) -> bool:
        return self.event not in ("unchanged", "conflict")


# --- reading state -------------------------------------------------------------


def waiting_change(page):
    """The change waiting for review on ``page`` (a history record), or None."""
    if page.pk is None:
        return None
    return page.history.filter(outcome=Outcome.WAITING).order_by("-history_id").first()


def waiting_ids(model, pks) -> set:
    """Pks among ``pks`` that have a change waiting for review (one query)."""
    return set(
        model.history.filter(id__in=list(pks), outcome=Outcome.WAITING).values_list("id", flat=True)
    )


def with_waiting(queryset):
    """Annotate ``waiting`` (bool) on a page queryset, for lists and filters."""
    history = queryset.model.history.model
    return queryset.annotate(
        waiting=Exists(history.objects.filter(id=OuterRef("pk"), outcome=Outcome.WAITING))
    )


def base_of(page) -> Base:
    waiting = waiting_change(page)
    return Base(page.version, waiting.history_id if waiting else None)


def _plain(name, value, model):
    field = model._meta.get_field(name)
    if field.many_to_many:
        if hasattr(value, "values_list"):
            value = value.values_list("pk", flat=True)
        return sorted(getattr(v, "pk", v) for v in value or [])
    return normalize_newlines(value)


def clean_values(model, values: dict) -> dict:
    """The content values of ``values`` (text with LF line endings, links as sorted pks)."""
    names = [f.name for f in content_fields(model)] + [f.name for f in link_fields(model)]
    return {name: _plain(name, values[name], model) for name in names if name in values}


def live_values(page) -> dict:
    values = {f.name: getattr(page, f.name) for f in content_fields(type(page))}
    values.update(current_links(page))
    return clean_values(type(page), values)


def record_values(record) -> dict:
    """What a person wrote, as kept in a history record."""
    model = record.instance_type
    values = {f.name: getattr(record, f.name) for f in content_fields(model)}
    values.update(record.links or {})
    return clean_values(model, values)


def proposed_values(page) -> dict:
    """The text a form should start from: the waiting change, else the page."""
    waiting = waiting_change(page)
    return record_values(waiting) if waiting else live_values(page)


def _same(model, mine: dict, theirs: dict) -> bool:
    return all(mine.get(name) == theirs.get(name) for name in set(mine) | set(theirs))


def _live_record_at(page, version):
    return (
        page.history.filter(version=version, live=True).order_by("-history_id").first()
        if version is not None
        else None
    )


def text_changed_since(page, version) -> bool:
    """Has the page's text changed since ``version``? (A review mark is not a change.)"""
    if version == page.version:
        return False
    record = _live_record_at(page, version)
    return record is None or not _same(type(page), record_values(record), live_values(page))


def who_wrote(record, user) -> str:
    if record is None:
        return "someone"
    if user is not None and record.history_user_id == user.pk:
        return "you, in another tab or window,"
    if record.history_user_id:
        return str(record.history_user)
    return LOADER if record.history_change_reason == LOADER else "someone"


# --- writing -------------------------------------------------------------------


def _locked(page):
    return type(page).objects.select_for_update().get(pk=page.pk)


def _validate(page, values: dict, status=None):
    """The model's own rules (the same the admin form and the loader use)."""
    candidate = copy.copy(page)
    for name, value in values.items():
        if not page._meta.get_field(name).many_to_many:
            setattr(candidate, name, value)
    if status is not None:
        candidate.status = status
    exclude = [*candidate.derived_fields, "source_hash"]
    candidate.full_clean(exclude=exclude)
    return candidate


def _validate_live(page, values: dict):
    """The save rules, and those a page patients see must also keep (a procedure's
    required sections; ``core.pages.publish_problems``): refused with the lines to
    change. Used whenever text goes live as published, whoever does it (publish, a
    reviewer's save, create as published, restore)."""
    candidate = _validate(page, values, Status.PUBLISHED)
    if not hasattr(type(candidate), "text_field"):
        return
    problems = [p for p in publish_problems(candidate) if p.blocks == "publish"]
    if problems:
        label = candidate._meta.get_field(candidate.text_field).verbose_name
        raise ValidationError(
            {
                candidate.text_field: [
                    f"Not published: patients' pages must keep this rule. "
                    f"{f'{label.capitalize()}, line {p.line}: ' if p.line else ''}{p.message}"
                    for p in problems
                ]
            }
        )


def _apply_live(page, values: dict, user, event: str, reason: str = "", note: str = ""):
    """Write ``values`` to the live row and record it: the one place a page is saved."""
    for name, value in values.items():
        if not page._meta.get_field(name).many_to_many:
            setattr(page, name, value)
    if hasattr(page, "fill_review_due"):
        page.fill_review_due()
    page.skip_history_when_saving = True
    try:
        page.save()
    finally:
        del page.skip_history_when_saving
    for name, value in values.items():
        if page._meta.get_field(name).many_to_many:
            getattr(page, name).set(value)
    return write_record(page, event=event, user=user, reason=reason, note=note)


def _propose(page, values: dict, user, *, event, outcome, base_version, reason=""):
    """Keep ``values`` as a history record next to the live page (not applied)."""
    proposal = copy.copy(page)
    links = {}
    for name, value in values.items():
        if page._meta.get_field(name).many_to_many:
            links[name] = value
        else:
            setattr(proposal, name, value)
    full_links = {**current_links(page), **links}
    return write_record(
        proposal,
        event=event,
        live=False,
        outcome=outcome,
        user=user,
        reason=reason,
        base_version=base_version,
        links=full_links,
    )


def _resolve_waiting(page, outcome: str, note: str = "", keep=None) -> int:
    """Mark the waiting change(s) with what became of them. The text is untouched."""
    waiting = page.history.filter(outcome=Outcome.WAITING)
    if keep is not None:
        waiting = waiting.exclude(history_id=keep)
    fields = {"outcome": outcome}
    if note:
        fields["note"] = note
    return waiting.update(**fields)


def _conflict(page, values, user, base: Base) -> Result:
    """Someone changed the page after this person's form was loaded: keep theirs and
    this person's text side by side; nothing is applied."""
    waiting = waiting_change(page)
    if waiting is not None and waiting.history_id != base.waiting:
        theirs = waiting
    else:
        theirs = page.history.filter(live=True).order_by("-history_id").first()
    mine = _propose(
        page,
        values,
        user,
        event=Event.CONFLICT,
        outcome=Outcome.KEPT_ASIDE,
        base_version=base.version,
        reason=f"Kept aside: {who_wrote(theirs, user)} changed the page meanwhile",
    )
    return Result("conflict", mine, theirs)


def _is_conflict(page, base: Base | None) -> bool:
    if base is None:
        return False
    waiting = waiting_change(page)
    if (waiting.history_id if waiting else None) != base.waiting:
        return True
    return text_changed_since(page, base.version)


def _submit(page, values: dict, user, reason: str) -> Result:
    """Keep ``values`` as the change waiting for review; the previous one is replaced."""
    record = _propose(
        page,
        values,
        user,
        event=Event.SUBMITTED,
        outcome=Outcome.WAITING,
        base_version=page.version,
        reason=reason,
    )
    _resolve_waiting(page, Outcome.SUPERSEDED, keep=record.history_id)
    return Result(Event.SUBMITTED, record)


@transaction.atomic
def create(model, values: dict, user, *, status=Status.DRAFT, review=None) -> Result:
    """A new page: a draft, or published at once by a reviewer."""
    if status == Status.PUBLISHED and not can_publish(user):
        raise PermissionDenied("Only a clinical reviewer can publish a page.")
    if review and not can_review(user):
        raise PermissionDenied("Only a clinical reviewer can change the medical review.")
    page = model(status=status, **(review or {}))
    values = clean_values(model, values)
    if status == Status.PUBLISHED:
        _validate_live(page, values)
    else:
        _validate(page, values, status)
    event = Event.PUBLISHED if status == Status.PUBLISHED else Event.CREATED
    record = _apply_live(page, values, user, event)
    return Result(event, record)


@transaction.atomic
def save(page, values: dict, user, *, base: Base | None = None, status=None, review=None,
         event: str | None = None, reason: str = "") -> Result:  # fmt: skip
    """A person saved the page's form (or restored a version): do what it means.

    ``values`` are the content fields (and links); ``status`` and ``review`` are
    given only when the person may change them.
    """
    if page.pk is None:
        return create(type(page), values, user, status=status or Status.DRAFT, review=review)
    page = _locked(page)
    values = clean_values(type(page), values)
    status_changed = status is not None and status != page.status
    review = {k: v for k, v in (review or {}).items() if getattr(page, k) != v}
    if status_changed and not can_publish(user):
        raise PermissionDenied("Only a clinical reviewer can publish or unpublish a page.")
    if review and not can_review(user):
        raise PermissionDenied("Only a clinical reviewer can change the medical review.")
    if _is_conflict(page, base):
        return _conflict(page, values, user, base)
    waiting = waiting_change(page)
    baseline = record_values(waiting) if waiting else live_values(page)
    text_changed = not _same(type(page), values, baseline)
    publishes_waiting = waiting is not None and page.is_published and can_publish(user)
    if not text_changed and not status_changed and not review and not publishes_waiting:
        return Result("unchanged")
    new_status = status if status is not None else page.status
    submits = page.is_published and not can_publish(user)
    goes_live = (
        not submits
        and new_status == Status.PUBLISHED
        and (status_changed or text_changed or publishes_waiting)
    )
    if goes_live:
        _validate_live(page, {**live_values(page), **values})
    else:
        _validate(page, {**live_values(page), **values}, new_status)

    if submits:
        return _submit(page, values, user, reason or "Changes submitted for review")

    if review and "reviewed_on" in review and "next_review_due" not in review:
        review["next_review_due"] = one_year_after(review["reviewed_on"])
    page.status = new_status
    for name, value in review.items():
        setattr(page, name, value)
    if status_changed:
        chosen = Event.PUBLISHED if new_status == Status.PUBLISHED else Event.UNPUBLISHED
    elif page.is_published and (text_changed or waiting):
        chosen = Event.PUBLISHED
    elif review and not text_changed:
        chosen = Event.REVIEWED
    else:
        chosen = event or Event.SAVED
    if event == Event.RESTORED:
        chosen = Event.RESTORED
    if waiting is not None:
        # The form showed the waiting change: it is published as it was written, or
        # replaced by the text saved now (a reviewer's edit, or their own version).
        published_as_written = page.is_published and not text_changed
        _resolve_waiting(page, Outcome.PUBLISHED if published_as_written else Outcome.SUPERSEDED)
    record = _apply_live(page, values, user, chosen, reason=reason)
    return Result(chosen, record)


@transaction.atomic
def submit(page, values: dict, user, *, base: Base | None = None) -> Result:
    """Propose a change to a published page (anyone who may edit it)."""
    page = _locked(page)
    if not page.is_published:
        return save(page, values, user, base=base)
    if _is_conflict(page, base):
        return _conflict(page, clean_values(type(page), values), user, base)
    values = clean_values(type(page), values)
    if _same(type(page), values, proposed_values(page)):
        return Result("unchanged")
    _validate(page, {**live_values(page), **values})
    return _submit(page, values, user, "Changes submitted for review")


@transaction.atomic
def publish(page, user) -> Result:
    """Publish the waiting change (refused if the page changed after it was written),
    or make a draft visible to patients."""
    if not can_publish(user):
        raise PermissionDenied("Only a clinical reviewer can publish a page.")
    page = _locked(page)
    waiting = waiting_change(page)
    if waiting is not None:
        if text_changed_since(page, waiting.base_version):
            raise Stale(waiting, live_values(page), record_values(waiting))
        values = record_values(waiting)
        _validate_live(page, {**live_values(page), **values})
        page.status = Status.PUBLISHED
        _resolve_waiting(page, Outcome.PUBLISHED)
        record = _apply_live(
            page, values, user, Event.PUBLISHED, reason="Published the waiting change"
        )
        return Result(Event.PUBLISHED, record)
    if page.is_published:
        return Result("unchanged")
    _validate_live(page, live_values(page))
    page.status = Status.PUBLISHED
    return Result(Event.PUBLISHED, _apply_live(page, {}, user, Event.PUBLISHED))


@transaction.atomic
def unpublish(page, user) -> Result:
    if not can_publish(user):
        raise PermissionDenied("Only a clinical reviewer can unpublish a page.")
    page = _locked(page)
    if not page.is_published:
        return Result("unchanged")
    blockers = page.unpublish_blockers() if hasattr(page, "unpublish_blockers") else []
    if blockers:
        names = ", ".join(f"“{name}”" for name in blockers[:5])
        more = f" and {len(blockers) - 5} more" if len(blockers) > 5 else ""
        raise ValidationError(
            f"Pages include this: {names}{more}. Take it out of those pages before you "
            "unpublish it."
        )
    page.status = Status.DRAFT
    return Result(Event.UNPUBLISHED, _apply_live(page, {}, user, Event.UNPUBLISHED))


def may_withdraw(user, waiting) -> bool:
    return can_publish(user) or (user is not None and waiting.history_user_id == user.pk)


@transaction.atomic
def discard(page, user) -> Result:
    """Set the waiting change aside (a reviewer, or its author withdrawing it).
    It stays in History and can be restored."""
    page = _locked(page)
    waiting = waiting_change(page)
    if waiting is None:
        return Result("unchanged")
    if not may_withdraw(user, waiting):
        raise PermissionDenied("Only a clinical reviewer or its author can discard a change.")
    _resolve_waiting(page, Outcome.DISCARDED)
    when = timezone.localtime(waiting.history_date).strftime("%d %b %Y %H:%M")
    reason = f"Discarded the change by {who_wrote(waiting, None)} of {when}"
    return Result(Event.DISCARDED, write_record(page, event=Event.DISCARDED, user=user,
                                                reason=reason))  # fmt: skip


@transaction.atomic
def send_back(page, user, note: str) -> Result:
    """A reviewer returns the waiting change to its editor with a note."""
    if not can_publish(user):
        raise PermissionDenied("Only a clinical reviewer can send a change back.")
    note = normalize_newlines((note or "").strip())
    if not note:
        raise ValidationError("Write a note for the editor: what should change?")
    page = _locked(page)
    if waiting_change(page) is None:
        return Result("unchanged")
    _resolve_waiting(page, Outcome.SENT_BACK, note=note)
    record = write_record(page, event=Event.SENT_BACK, user=user, note=note,
                          reason="Sent the waiting change back to the editor")  # fmt: skip
    return Result(Event.SENT_BACK, record)


def restore(page, record, user, *, base: Base | None = None) -> Result:
    """Bring back the text of an earlier record (live or not): for a published page and
    a person who cannot publish, it becomes the waiting change."""
    when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
    return save(
        page,
        record_values(record),
        user,
        base=base,
        event=Event.RESTORED,
        reason=f"Restored the version of {when}",
    )


@transaction.atomic
def mark_reviewed(page, user, on=None) -> Result:
    """A clinician checked the page: review date today (or ``on``), next due in a year."""
    if not can_review(user):
        raise PermissionDenied("Only a clinical reviewer can mark a page reviewed.")
    page = _locked(page)
    on = on or timezone.localdate()
    page.reviewed_on = on
    page.reviewed_by = page.reviewed_by or DEFAULT_REVIEWER
    page.next_review_due = one_year_after(on)
    return Result(Event.REVIEWED, _apply_live(page, {}, user, Event.REVIEWED))


def record_load(page, *, user=None, created: bool = False):
    """The loader wrote ``page`` (inside its transaction): its one history record.
    A waiting change it overrode (``--force``) stays in History as replaced."""
    _resolve_waiting(page, Outcome.SUPERSEDED)
    return write_record(
        page, event=Event.CREATED if created else Event.LOADED, user=user, reason=LOADER
    )
