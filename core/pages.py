"""What every patient-facing content model shares.

- ``Status`` and a queryset whose ``published()`` is the one definition of
  "a patient may see this", used by every view, sitemap and search.
- Markdown rendered once on save into a ``*_html`` field (see ``core.markdown``).
- ``version`` for optimistic locking, ``source_hash`` so that ``load_content``
  never overwrites an admin edit, and the medical-review dates.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core import includes, markdown, sources
from core.readability import (
    PAGE_MEDIAN_MAX_GRADE,
    SECTION_MAX_GRADE,
    long_sentence_lines,
    long_sentences,
    score_markdown,
    section_lines,
)
from core.registry import registry

DEFAULT_REVIEWER = "Clinic medical team"
REVIEW_INTERVAL_DAYS = 365
SOURCES_HELP = (
    f"One source per line: '{sources.FORMAT_HELP}'. Well-known organizations only "
    "(NHS, MedlinePlus, FDA, NICE, specialty societies); no invented studies or links."
)


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
        for message in sources.line_problems(getattr(page, name)):
            add(name, message)
    text_field = getattr(model, "text_field", None)
    for field in content_fields(model):
        value = getattr(page, field.name)
        if field.name == text_field or isinstance(field, models.SlugField):
            continue
        if isinstance(value, str) and field.name not in getattr(model, "source_fields", ()):
            for _line, number in includes.literal_numbers(value):
                add(field.name, f"“{number}” looks like a phone number. Numbers belong in "
                                "Clinic details; name them in the page text instead.")  # fmt: skip
    for field in content_fields(model):
        prose = isinstance(field, models.CharField | models.TextField)
        if not prose or isinstance(field, _NOT_PROSE):
            continue
        value = getattr(page, field.name)
        if field.name == text_field or field.choices or not isinstance(value, str):
            continue
        if field.name in getattr(model, "list_fields", ()) or field.name in getattr(
            model, "source_fields", ()
        ):
            continue
        for sentence in long_sentences(value, MAX_SENTENCE_WORDS):
            add(field.name, long_sentence_message(sentence))
    if text_field:
        for problem in text_problems(page):
            where = f"Line {problem.line}: " if problem.line else ""
            add(text_field, where + problem.message)
    return problems


# --- the rules of the page text, with their lines ------------------------------

MAX_SENTENCE_WORDS = 20
_NOT_PROSE = (models.SlugField, models.URLField, models.EmailField)


@dataclass(frozen=True)
class TextProblem:
    """One problem of a page's Markdown text: shown while writing, refused on save
    (``blocks == "save"``) or when the page goes live (``blocks == "publish"``)."""

    line: int | None  # counted from 1 in the text field; None for the whole text
    message: str
    quote: str = ""  # the words to highlight (a sentence, a number, a line)
    rule: str = "text"
    blocks: str = "save"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "message": self.message,
            "quote": self.quote,
            "rule": self.rule,
            "blocks": self.blocks,
        }


def long_sentence_message(sentence: str) -> str:
    words = len(sentence.split())
    return (
        f"This sentence has {words} words; at most {MAX_SENTENCE_WORDS}. Split it into "
        f"shorter sentences: “{sentence}”"
    )


def _line(text: str, number: int) -> str:
    found = text.split("\n")
    return found[number - 1].strip() if 0 < number <= len(found) else ""


def text_problems(page) -> list[TextProblem]:
    """What saving refuses in the page's Markdown text, with lines: the renderer's limits,
    clinic facts and shared blocks (``registry.text_problems``: unknown names, typed
    numbers, restated rules), sentences over 20 words and the page type's own rules.
    ``content_problems`` reports these; the loader reports the same at the file's lines."""
    model = type(page)
    text = getattr(page, model.text_field) or ""
    found = []
    for problem in markdown.limit_problems(text):
        found.append(TextProblem(problem.line, problem.message, _line(text, problem.line),
                                 "markdown"))  # fmt: skip
    may_include = getattr(model, "may_include", True)
    for line, message in registry.text_problems(text, may_include=may_include):
        rule = "number" if "phone number" in message else "names"
        found.append(TextProblem(line, message, _quoted(message) or _line(text, line), rule))
    for line, sentence in long_sentence_lines(text, MAX_SENTENCE_WORDS):
        found.append(TextProblem(line, long_sentence_message(sentence), sentence, "sentence"))
    for message in page.text_problems() if hasattr(page, "text_problems") else ():
        found.append(TextProblem(None, message, "", "page"))
    return sorted(found, key=_by_line)


def _by_line(problem: TextProblem):
    return (problem.line is None, problem.line or 0)


def _quoted(message: str) -> str:
    start, end = message.find("“"), message.find("”")
    return message[start + 1 : end] if 0 <= start < end else ""


def publish_problems(page, exclusions=None) -> list[TextProblem]:
    """What keeps the page from going live (``blocks == "publish"``): a procedure's
    required sections, which the loader refuses in any file. And advice shown while
    writing (``blocks == "advice"``): each section at most grade 8 and the page's median
    at most 6.5, which the test suite checks on published pages. Grades of a few words
    are too unsteady to refuse a save or a publish on (three words can score grade 9)."""
    model = type(page)
    text = getattr(page, model.text_field) or ""
    found = []
    page_type = registry.for_model(model)
    if page_type is not None and page_type.check_body:
        said_order = False
        for line, message in page_type.check_body(text, 1):
            if " (sections must come in this order" in message:
                if said_order:  # the order is said once, with the first missing section
                    message = message.split(" (sections must come")[0]
                said_order = True
            found.append(TextProblem(line, message[:1].upper() + message[1:],
                                     _line(text, line), "sections", "publish"))  # fmt: skip
    exclusions = readability_exclusions() if exclusions is None else exclusions
    score = score_markdown(text, exclusions)
    lines_of = section_lines(text)
    for section in score.sections:
        if section.too_hard:
            line = lines_of.get(section.heading)
            found.append(
                TextProblem(
                    line,
                    f"The section “{section.heading}” reads at grade {section.grade}; at "
                    f"most {SECTION_MAX_GRADE:g}. Use shorter sentences and everyday words "
                    "(the medical term after the lay word).",
                    _line(text, line) if line else "",
                    "grade",
                    "advice",
                )
            )
    found.extend(glossary_advice(text))
    if score.median > PAGE_MEDIAN_MAX_GRADE:
        found.append(
            TextProblem(
                None,
                f"The page reads at grade {score.median} (the middle of its sections); at "
                f"most {PAGE_MEDIAN_MAX_GRADE:g}, aim for 6.",
                "",
                "grade",
                "advice",
            )
        )
    return found


# "numbing medicine (local anesthetic)": the medical term in brackets after the lay word.
_BRACKETED_TERM = re.compile(r"\((?:an? |the )?([A-Za-z][A-Za-z-]*(?: [A-Za-z][A-Za-z-]*){0,3})\)")


def glossary_advice(text: str) -> list[TextProblem]:
    """Advice: a medical term given in brackets that the glossary does not explain yet.

    Known glossary terms become tap-for-a-definition words on the page; an unknown one
    leaves the patient with a word nobody explains. Advice only (one query)."""
    known = {
        word.strip().lower()
        for entry in registry.glossary_source()
        for word in entry.words
        if word.strip()
    }
    found, seen = [], set()
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _BRACKETED_TERM.finditer(line):
            term = match.group(1)
            key = term.lower()
            if key in known or key in seen:
                continue
            seen.add(key)
            found.append(
                TextProblem(
                    number,
                    f"“{term}” is not in the glossary yet. Add it there so patients can tap "
                    "it for a plain definition.",
                    term,
                    "glossary",
                    "advice",
                )
            )
    return found


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
        help_text=SOURCES_HELP,
    )
    shared_sources = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The sources of the shared blocks the text includes, filled in on save.",
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
    source_fields = ("sources",)  # one source per line (core.sources); a list in files
    also_called_shown = 4  # the page shows the first few; search uses them all

    class Meta:
        abstract = True

    @property
    def also_called_list(self) -> list[str]:
        return lines(self.also_called)

    @property
    def also_called_short(self) -> list[str]:
        """The names shown on the page (the rest only help search find it)."""
        return self.also_called_list[: self.also_called_shown]

    @property
    def source_list(self) -> list[dict]:
        return cited_sources(self)

    @property
    def own_source_list(self) -> list[dict]:
        return sources.parse_lines(self.sources)

    @property
    def block_source_list(self) -> list[dict]:
        return block_sources(self)

    text_field = "body"
    html_field = "body_html"
    derived_fields = ("body_html", "toc", "reading_grade", "reading_worst", "shared_sources")

    def render(self):
        blocks = registry.block_source()
        text = registry.expand(self.body, blocks)
        calls = includes.care_calls(registry.fact_source())
        rendered = markdown.render(text, registry.glossary_source(), care_calls=calls)
        self.body_html = apply_html_filters(rendered.html)
        self.toc = rendered.toc
        self.shared_sources = registry.shared_sources(self.body, blocks)
        page = score_markdown(text, readability_exclusions())
        self.reading_grade = page.median
        self.reading_worst = page.worst.grade if page.worst else None

    def save(self, *args, **kwargs):
        self.fill_review_due()
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)


def cited_sources(page) -> list[dict]:
    """The page's own sources, then those of the shared blocks it includes, each once."""
    return sources.parse_lines(page.sources) + block_sources(page)


def block_sources(page) -> list[dict]:
    """The sources of the shared blocks a page includes that it does not cite itself."""
    seen = {source["url"] for source in sources.parse_lines(page.sources)}
    out = []
    for source in page.shared_sources or ():
        if source.get("url") not in seen:
            seen.add(source.get("url"))
            out.append(source)
    return out


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
