from django.db import models
from django.urls import reverse

from painsite import markdown
from painsite.history import PageHistory
from painsite.pages import PageQuerySet, PublishableModel


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


class FAQ(PublishableModel):
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

    objects = FAQQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"
        ordering = ["topic", "order", "question"]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("faq:list") + f"#{self.slug}"

    def render(self):
        from glossary.models import GlossaryTerm

        clean = markdown.render_fragment(self.answer)
        self.answer_html = markdown.link_glossary(
            clean, GlossaryTerm.objects.entries(), prefix=f"g-{self.slug}"
        )

    def save(self, *args, **kwargs):
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)
