"""History: the one store of every version of every page (django-simple-history).

Every record is a full copy of what a person wrote (all text fields, and the
links to other pages in ``links``), plus what happened:

- ``event``: what the operation was (saved, submitted for review, published, ...);
- ``live``: the record is the page as patients (or, for a draft, staff) saw it
  after the operation. Waiting changes and conflict copies are not live: they are
  proposals kept next to the live page until someone acts on them;
- ``outcome``: for a proposal, what became of it (waiting, published, replaced by
  a later change, discarded, sent back, kept aside after a conflict). Nothing is
  ever deleted: a discarded change is still a record that can be restored;
- ``base_version``: the page version the change was written against, so a change
  to an older text is never applied blindly;
- ``note``: a reviewer's note when sending a change back.

Records are written by the operations in ``editorial.workflow`` (one each); saves
that only refresh derived fields (re-rendered HTML, the loader's fingerprint)
write none. A plain ``save()`` outside the workflow (the shell, a data fix) is
still recorded, as event "saved".
"""

from __future__ import annotations

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

LOADER = "load_content"
# Bookkeeping that is not text a person wrote: never recorded, never compared.
BOOKKEEPING = ("source_hash", "updated")


class Event(models.TextChoices):
    CREATED = "created", "Created"
    SAVED = "saved", "Saved"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    DISCARDED = "discarded", "Discarded the waiting change"
    SENT_BACK = "sent_back", "Sent back to the editor"
    RESTORED = "restored", "Restored an earlier version"
    REVIEWED = "reviewed", "Marked medically reviewed"
    LOADED = "loaded", "Loaded from a content file"
    CONFLICT = "conflict", "Kept aside: saved while someone else changed the page"


class Outcome(models.TextChoices):
    WAITING = "waiting", "Waiting for review"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Replaced by a later change"
    DISCARDED = "discarded", "Discarded"
    SENT_BACK = "sent_back", "Sent back to the editor"
    KEPT_ASIDE = "kept_aside", "Kept aside (not used)"


class RevisionFields(models.Model):
    """Extra columns on every page's historical table."""

    event = models.CharField(max_length=20, choices=Event.choices, default=Event.SAVED)
    live = models.BooleanField(
        default=True, help_text="The page as it stood after this operation (not a proposal)."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, db_index=True)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    links = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_waiting(self) -> bool:
        return self.outcome == Outcome.WAITING


class PageHistory(HistoricalRecords):
    """History for a page model: its derived fields are never recorded (declared once,
    on the model, as ``derived_fields``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("bases", [RevisionFields])
        super().__init__(**kwargs)

    def finalize(self, sender, **kwargs):
        if sender is self.cls:
            self.excluded_fields = [*sender.derived_fields, *BOOKKEEPING]
            sender._page_history = self
        super().finalize(sender, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= {*instance.derived_fields, *BOOKKEEPING}:
            return
        super().post_save(instance, created, using=using, **kwargs)


def write_record(instance, *, event: str, live: bool = True, outcome: str = "", user=None,
                 reason: str = "", base_version=None, links=None, note: str = ""):  # fmt: skip
    """Write one history record of ``instance`` as it is (saved or not) and return it."""
    instance._revision = {
        "event": event,
        "live": live,
        "outcome": outcome,
        "base_version": base_version,
        "links": links if links is not None else current_links(instance),
        "note": note,
    }
    instance._history_user = user
    instance._change_reason = (reason or Event(event).label)[:100]
    try:
        history = type(instance)._page_history
        history.create_historical_record(instance, "+" if event == Event.CREATED else "~")
        return instance._revision["record"]  # set by _fill_revision_fields, then saved
    finally:
        del instance._revision


def link_fields(model) -> list:
    return [f for f in model._meta.many_to_many if not f.name.startswith("_")]


def current_links(instance) -> dict[str, list[int]]:
    if instance.pk is None:
        return {}
    return {
        f.name: sorted(getattr(instance, f.name).values_list("pk", flat=True))
        for f in link_fields(type(instance))
    }


@receiver(pre_create_historical_record)
def _fill_revision_fields(sender, instance, history_instance, **kwargs):
    revision = getattr(instance, "_revision", None)
    if revision is None:  # a plain save outside the workflow
        history_instance.event = (
            Event.CREATED if history_instance.history_type == "+" else Event.SAVED
        )
        history_instance.live = True
        if hasattr(history_instance, "links"):
            history_instance.links = current_links(instance)
        return
    for name, value in revision.items():
        setattr(history_instance, name, value)
    revision["record"] = history_instance
