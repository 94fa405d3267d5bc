"""Revision history for content pages (django-simple-history).

Every save of a page adds a historical record with who saved it (the admin
user, or none for ``load_content``) and why (``_change_reason``). Saves that
only refresh derived fields (re-rendered HTML after a glossary change, the
loader's fingerprint) add no record: nothing a person wrote changed.
"""

from __future__ import annotations

from simple_history.models import HistoricalRecords

DERIVED_FIELDS = {
    "body_html",
    "toc",
    "reading_grade",
    "reading_worst",
    "answer_html",
    "definition_html",
    "source_hash",
    "updated",
}
NOT_RECORDED = [
    "body_html",
    "toc",
    "reading_grade",
    "reading_worst",
    "answer_html",
    "definition_html",
    "pending",
    "pending_by",
    "pending_at",
]
LOADER = "load_content"


class PageHistory(HistoricalRecords):
    def __init__(self, **kwargs):
        kwargs.setdefault("excluded_fields", list(NOT_RECORDED))
        super().__init__(**kwargs)

    def finalize(self, sender, **kwargs):
        if sender is self.cls:  # keep only the derived fields this model has
            names = {f.name for f in sender._meta.local_fields}
            self.excluded_fields = [f for f in self.excluded_fields if f in names]
        super().finalize(sender, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= DERIVED_FIELDS:
            return
        super().post_save(instance, created, using=using, **kwargs)
