"""One answer to "Was this page helpful?".

Only what staff need to improve a page is kept: which page, yes or no, the optional
comment and when. No address, browser, cookie or account is stored.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone

COMMENT_MAX_LENGTH = 500


class PageType(models.TextChoices):
    PROCEDURE = "procedure", "Procedure"
    CONDITION = "condition", "Condition"


# The URL name of each page type's public page.
DETAIL_URLS = {PageType.PROCEDURE: "procedures:detail", PageType.CONDITION: "conditions:detail"}


class Feedback(models.Model):
    page_type = models.CharField(max_length=20, choices=PageType.choices)
    page_slug = models.SlugField("page address", max_length=150)
    page_title = models.CharField(
        max_length=150, help_text="The page's title when the answer was sent."
    )
    helpful = models.BooleanField("helpful?")
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    created = models.DateTimeField("sent", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "page feedback"
        verbose_name_plural = "page feedback"
        indexes = [models.Index(fields=["page_type", "page_slug"])]

    def __str__(self):
        return f"{self.page_title}: {'yes' if self.helpful else 'no'}"

    def page_path(self) -> str:
        return reverse(DETAIL_URLS[self.page_type], kwargs={"slug": self.page_slug})
