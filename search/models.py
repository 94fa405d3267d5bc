"""The search index (one row per published page) and the synonym table.

``Document`` rows are made from the content models by ``search.index``; the
engine's own full-text index is built from them by the database (SQLite: an
FTS5 table kept in step by triggers; PostgreSQL: a generated, GIN-indexed
``tsvector`` column). See ``search/migrations/0002_fulltext.py``.
"""

from django.core.exceptions import ValidationError
from django.db import models

from . import text


class Kind(models.TextChoices):
    PROCEDURE = "procedure", "Procedure"
    CONDITION = "condition", "Condition"
    FAQ = "faq", "Question"
    GLOSSARY = "glossary", "Glossary"


class Document(models.Model):
    """What search knows about one published page. Made automatically; never edited by hand."""

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    also_called = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class Word(models.Model):
    """The site's own vocabulary, for "Did you mean". Made automatically."""

    word = models.CharField(max_length=60, unique=True)
    length = models.PositiveSmallIntegerField(db_index=True)
    weight = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.word


MAX_TERMS = 30
MAX_TERM_LENGTH = 80


def check_terms(value: str) -> list[str]:
    """The terms of a synonym group, one per line; raises ValidationError in plain words."""
    terms: list[str] = []
    for line in (value or "").splitlines():
        term = " ".join(line.split())
        if not term:
            continue
        if "\x00" in term:
            raise ValidationError("A term must not contain NUL characters.")
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                f"“{term[:40]}…” is {len(term)} characters long; at most {MAX_TERM_LENGTH}."
            )
        if not text.content_stems(term):
            raise ValidationError(
                f"“{term}” has no searchable word (only short common words like “the” or “my”)."
            )
        if term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    if len(terms) < 2:
        raise ValidationError("Give at least two words or phrases, one per line.")
    if len(terms) > MAX_TERMS:
        raise ValidationError(f"At most {MAX_TERMS} terms in one group; split it into two.")
    return terms


class SynonymQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Synonym(models.Model):
    """Words that mean the same thing to a patient: a search for one also finds the others."""

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="A short name for this group, e.g. “slipped-disc”. Matches the seed file.",
    )
    terms = models.TextField(
        help_text=(
            "Words or phrases that mean the same thing, one per line, e.g. “slipped disc”, "
            "“herniated disc”, “bulging disc”. A search for any of them also finds pages "
            "that use the others. Put the patients' words and the medical words together."
        ),
    )
    active = models.BooleanField(
        default=True, help_text="Untick to stop using this group without deleting it."
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="Optional: why this group exists (staff only)."
    )
    updated = models.DateTimeField(auto_now=True)
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the seed file entry this group was last loaded from.",
    )

    objects = SynonymQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    check_terms = staticmethod(check_terms)  # the loader checks seed files with the same rule

    @property
    def term_list(self) -> list[str]:
        return [" ".join(line.split()) for line in self.terms.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        try:
            self.terms = "\n".join(check_terms(self.terms))
        except ValidationError as exc:
            raise ValidationError({"terms": exc.messages}) from exc
