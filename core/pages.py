"""What every patient-facing content model shares.

- ``Status`` and a queryset whose ``published()`` is the one definition of
  "a patient may see this", used by every view, sitemap and search.
- Markdown rendered once on save into a ``*_html`` field (see ``core.markdown``).
- ``version`` for optimistic locking, ``source_hash`` so that ``load_content``
  never overwrites an admin edit, and the medical-review dates.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core import markdown
from core.readability import score_markdown
from core.registry import registry

DEFAULT_REVIEWER = "Clinic medical team"
REVIEW_INTERVAL_DAYS = 365


def one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (hidden from patients)"
    PUBLISHED = "published", "Published"


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def review_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(next_review_due__lt=today)

    def review_due_soon(self, days=30, today=None):
        today = today or timezone.localdate()
        return self.filter(
            next_review_due__gte=today,
            next_review_due__lte=today + datetime.timedelta(days=days),
        )


WORKFLOW_FIELDS = ("status", "reviewed_on", "reviewed_by", "next_review_due")
BOOKKEEPING_FIELDS = ("version", "created", "updated", "source_hash")


def content_fields(model) -> list:
    """The concrete fields a person writes (text, choices, order), in model order."""
    derived = set(getattr(model, "derived_fields", ()))
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable
        and f.name not in derived
        and f.name not in WORKFLOW_FIELDS
        and f.name not in BOOKKEEPING_FIELDS
        and not f.primary_key
    ]


def normalize_newlines(value):
    """Browsers send CRLF; everything stored uses LF (so untouched text compares equal)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


MAX_LIST_ITEM = 200  # one "other name" (and the loader's list items)


def content_problems(page) -> dict[str, list[str]]:
    """What is wrong with the text a person wrote, by field: the one content validator.

    The model's ``clean()`` (so the admin form, restore and every workflow operation)
    and the content loader both use it, so the admin cannot save what a content file
    could not hold, and the other way round.
    """
    model = type(page)
    problems: dict[str, list[str]] = {}

    def add(name, message):
        problems.setdefault(name, []).append(message)

    for field in content_fields(model):
        value = getattr(page, field.name)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            add(field.name, "Remove the invisible NUL characters.")
        if isinstance(field, models.CharField) and ("\n" in value or "\r" in value):
            add(field.name, "Write this on one line.")
    for name in getattr(model, "list_fields", ()):
        for item in lines(getattr(page, name)):
            if len(item) > MAX_LIST_ITEM:
                add(name, f"“{item[:40]}…” is {len(item)} characters long; at most "
                          f"{MAX_LIST_ITEM} on a line.")  # fmt: skip
    for name in getattr(model, "source_fields", ()):
        for item in lines(getattr(page, name)):
            organization, colon, title = item.partition(":")
            if not colon or not organization.strip() or not title.strip():
                add(name, f"“{item[:60]}”: write each source as 'Organization: Title', "
                          "one per line.")  # fmt: skip
    text_field = getattr(model, "text_field", None)
    if text_field:
        for message in markdown.validate_markdown(getattr(page, text_field) or ""):
            add(text_field, message)
        for message in page.text_problems() if hasattr(page, "text_problems") else ():
            add(text_field, message)
    return problems


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PublishableModel(models.Model):
    """Status, order, timestamps, optimistic-locking version and loader bookkeeping."""

    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published pages are shown to patients. Drafts can be previewed by staff.",
    )
    order = models.PositiveIntegerField(
        default=100, help_text="Position in lists: lower numbers come first."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one on every save; a form saved from an older version is refused.",
    )
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the content file this page was last loaded from.",
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def save(self, *args, **kwargs):
        # The one place the version goes up: every save of what people wrote (saves of
        # derived fields only name them in update_fields and keep the version).
        if self.pk is not None and not kwargs.get("update_fields"):
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        problems = content_problems(self)
        if problems:
            raise ValidationError(problems)

    def editable_values(self) -> dict:
        """What a person writes on this page (no status, review fields or derived fields)."""
        return {f.name: getattr(self, f.name) for f in content_fields(type(self))}


class ReviewedModel(models.Model):
    reviewed_on = models.DateField(
        null=True, blank=True, help_text="The date a clinician last checked this page."
    )
    reviewed_by = models.CharField(
        max_length=120,
        blank=True,
        help_text=(
            'A role such as "Clinic medical team", shown on the page once a clinician has '
            "reviewed it. Never a name the clinic has not agreed to show."
        ),
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Leave empty for one year after the review date.",
    )

    class Meta:
        abstract = True

    def fill_review_due(self):
        if self.reviewed_on and not self.next_review_due:
            self.next_review_due = one_year_after(self.reviewed_on)


class ArticleModel(PublishableModel, ReviewedModel):
    """A page with a Markdown body: procedures and conditions."""

    body = models.TextField(
        help_text="The page text in Markdown. Use '## ' for section headings and '- ' for lists."
    )
    body_html = models.TextField(
        editable=False, blank=True, help_text="Made from the body when saved."
    )
    toc = models.JSONField(default=list, editable=False, blank=True)
    also_called = models.TextField(
        blank=True,
        help_text="Other names, medical terms and abbreviations, one per line.",
    )
    summary = models.CharField(
        max_length=200,
        help_text="One or two plain sentences for cards, search results and the page description.",
    )
    sources = models.TextField(
        blank=True,
        help_text=(
            "One source per line as 'Organization: Title of the page or guideline'. "
            "Well-known organizations only; no invented studies or links."
        ),
    )
    reading_grade = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="Median Flesch–Kincaid grade of the sections (aim 6, at most 6.5).",
    )
    reading_worst = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="Grade of the hardest section (at most 8).",
    )

    objects = PageQuerySet.as_manager()
    list_fields = ("also_called",)  # one item per line; a list in content files
    source_fields = ("sources",)  # one "Organization: Title" per line; a list in files

    class Meta:
        abstract = True

    @property
    def also_called_list(self) -> list[str]:
        return lines(self.also_called)

    @property
    def source_list(self) -> list[dict]:
        out = []
        for line in lines(self.sources):
            organization, _, title = line.partition(":")
            if title:
                out.append({"organization": organization.strip(), "title": title.strip()})
            else:
                out.append({"organization": "", "title": organization.strip()})
        return out

    text_field = "body"
    html_field = "body_html"
    derived_fields = ("body_html", "toc", "reading_grade", "reading_worst")

    def render(self):
        rendered = markdown.render(self.body, registry.glossary_source())
        self.body_html = apply_html_filters(rendered.html)
        self.toc = rendered.toc
        page = score_markdown(self.body, readability_exclusions())
        self.reading_grade = page.median
        self.reading_worst = page.worst.grade if page.worst else None

    def save(self, *args, **kwargs):
        self.fill_review_due()
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)


def apply_html_filters(clean_html: str) -> str:
    """Sanitized HTML through every registered filter (e.g. figures embedded)."""
    for html_filter in registry.html_filters:
        clean_html = html_filter(clean_html)
    return clean_html


def readability_exclusions() -> list[str]:
    """Procedure names and glossary terms: left out of readability scores (as the NHS does).

    Page types registered with ``names_are_terms`` give their names and other names.
    Worked out once per content load (``registry.derived_values``).
    """
    return registry.derived("readability_exclusions", _names_left_out)


def _names_left_out() -> list[str]:
    words: list[str] = []
    for page_type in registry:
        if not page_type.names_are_terms:
            continue
        for name, also in page_type.model.objects.values_list(page_type.name_field, "also_called"):
            words.append(name)
            words.extend(lines(also))
    return words
