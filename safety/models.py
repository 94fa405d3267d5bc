"""Shared blocks: a safety rule written once and included by name in any page.

A block ("blood-thinners", "driving-and-sedation") is edited in one place, goes
through the same draft → review → publish workflow and history as every page, and
is included in a page's Markdown with ``{{ include blood-thinners }}``. Publishing a
block renders again every page that includes it. Its ``watch_phrases`` keep pages
from stating the same rule in their own words (see ``core.includes``).
"""

from __future__ import annotations

import re

from django.db import models
from django.urls import reverse

from core import includes, markdown, sources
from core.pages import SOURCES_HELP, PageQuerySet, PublishableModel, ReviewedModel, lines
from core.registry import registry
from editorial.history import PageHistory

_HEADING = re.compile(r"^\s{0,3}#", re.MULTILINE)


class SafetyBlockQuerySet(PageQuerySet):
    def blocks(self) -> dict[str, includes.Block]:
        """Published blocks as the renderer needs them (one query)."""
        return {
            slug: includes.Block(
                slug=slug,
                title=title,
                text=body,
                watch_phrases=tuple(lines(watch)),
                sources=tuple(sources.parse_lines(cited)),
            )
            for slug, title, body, watch, cited in self.published().values_list(
                "slug", "title", "body", "watch_phrases", "sources"
            )
        }


class SafetyBlock(PublishableModel, ReviewedModel):
    title = models.CharField(
        max_length=150,
        help_text="What the rule is about, for staff (patients see only the text).",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text=(
            "The name pages use to include it: {{ include this-name }}. Changing it is "
            "refused while pages include it."
        ),
    )
    body = models.TextField(
        "text",
        help_text=(
            "The rule in Markdown: paragraphs or a '- ' list, no headings. It appears, word "
            "for word, wherever a page includes it. Name numbers, e.g. {{ emergency }}."
        ),
    )
    body_html = models.TextField(editable=False, blank=True)
    watch_phrases = models.TextField(
        blank=True,
        help_text=(
            "Words that mean a page is stating this rule itself, one per line, e.g. "
            "'do not drive' or 'stop ... blood thinner' ('...' stands for a few words). "
            "Pages using them are asked to include this block instead."
        ),
    )
    sources = models.TextField(blank=True, help_text=SOURCES_HELP)

    objects = SafetyBlockQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = "shared safety block"
        verbose_name_plural = "shared safety blocks"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("admin:safety_safetyblock_change", args=[self.pk])

    list_fields = ("watch_phrases",)
    source_fields = ("sources",)
    text_field = "body"
    html_field = "body_html"
    derived_fields = ("body_html",)
    may_include = False  # a block cannot include another block

    @property
    def source_list(self) -> list[dict]:
        return sources.parse_lines(self.sources)

    def render(self):
        self.body_html = markdown.render_fragment(registry.expand(self.body, {}))

    def save(self, *args, **kwargs):
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)

    def search_document(self) -> dict:
        return {"title": self.title, "also_called": "", "summary": "", "body": ""}

    def text_problems(self) -> list[str]:
        problems = []
        if _HEADING.search(self.body or ""):
            problems.append("A shared block has no headings: it goes inside a section of the page.")
        if self.pk:
            stored = SafetyBlock.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored and stored != self.slug and pages_including(stored):
                problems.append(
                    f"Pages include this block as “{stored}”: keep that name, or change "
                    "those pages first."
                )
        return problems

    def unpublish_blockers(self) -> list[str]:
        """Pages that include this block: it cannot be hidden while they show it."""
        return [str(page) for page in pages_including(self.slug)]


def pages_including(slug: str) -> list:
    """Every page (any type, any status) whose text includes the block ``slug``."""
    found = []
    for page_type in registry:
        if page_type.model is SafetyBlock:
            continue
        text_field = page_type.text_field
        candidates = page_type.model.objects.filter(**{f"{text_field}__contains": slug})
        for page in candidates:
            if slug in includes.included(getattr(page, text_field)):
                found.append(page)
    return found
