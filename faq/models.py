from django.db import models

from core import markdown, sources
from core.links import view_url
from core.pages import (
    SOURCES_HELP,
    PageQuerySet,
    PublishableModel,
    ReviewedModel,
    block_sources,
    cited_sources,
)
from core.registry import registry
from core.search_text import plain_text
from editorial.history import PageHistory


class Topic(models.TextChoices):
    ABOUT = "about", "About interventional pain care"
    PREPARING = "preparing", "Preparing for your procedure"
    THE_DAY = "the-day", "On the day"
    AFTER = "after", "After your procedure"
    RISKS = "risks", "Risks and safety"
    COSTS = "costs", "Costs and referrals"


TOPIC_ORDER = [value for value, _ in Topic.choices]


class FAQQuerySet(PageQuerySet):
    def for_list(self):
        return self.published().order_by("order", "question").prefetch_related("procedures")


class FAQ(PublishableModel, ReviewedModel):
    question = models.CharField(max_length=250, help_text="As a patient would ask it.")
    slug = models.SlugField(
        max_length=150,
        unique=True,
        help_text="The link anchor on the FAQ page (/faq/#slug). Changing it breaks links.",
    )
    answer = models.TextField(help_text="The answer in Markdown.")
    answer_html = models.TextField(editable=False, blank=True)
    topic = models.CharField(max_length=12, choices=Topic.choices, default=Topic.ABOUT)
    procedures = models.ManyToManyField(
        "procedures.Procedure",
        blank=True,
        related_name="faqs",
        help_text="Procedures this question is about (it is shown on their pages).",
    )
    sources = models.TextField(blank=True, help_text=SOURCES_HELP)
    shared_sources = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The sources of the shared blocks the answer includes, filled in on save.",
    )

    objects = FAQQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"
        ordering = ["topic", "order", "question"]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return view_url("faq:list") + f"#{self.slug}"

    text_field = "answer"
    html_field = "answer_html"
    derived_fields = ("answer_html", "shared_sources")
    source_fields = ("sources",)

    @property
    def source_list(self) -> list[dict]:
        return cited_sources(self)

    @property
    def own_source_list(self) -> list[dict]:
        return sources.parse_lines(self.sources)

    @property
    def block_source_list(self) -> list[dict]:
        return block_sources(self)

    def render(self):
        blocks = registry.block_source()
        clean = markdown.render_fragment(registry.expand(self.answer, blocks))
        self.answer_html = markdown.link_glossary(
            clean, registry.glossary_source(), prefix=f"g-{self.slug}"
        )
        self.shared_sources = registry.shared_sources(self.answer, blocks)

    def search_document(self) -> dict:
        return {
            "title": self.question,
            "also_called": "",
            "summary": "",
            "body": plain_text(self.answer_html),
        }

    def save(self, *args, **kwargs):
        self.fill_review_due()
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)
