"""The editorial app holds the content loader, exporter, reports and the workflow permissions."""

from django.conf import settings
from django.db import models


class Workflow(models.Model):
    """No table: only the holder of the two workflow permissions given to roles."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("publish_content", "Can publish pages (make them visible to patients)"),
            ("review_content", "Can mark pages medically reviewed"),
        ]

    def __str__(self):
        return "Editorial workflow"


class ReviewReminder(models.Model):
    """One review-reminder email sent to one person on one day (the clinic's date).

    The row is written before the email goes, and is unique per person and day, so a
    second run the same day, on this server or another, sends that person nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    pages = models.PositiveIntegerField(help_text="How many pages the email listed.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_review_reminder_a_day")
        ]
        verbose_name = "review reminder sent"
        verbose_name_plural = "review reminders sent"

    def __str__(self):
        return f"Review reminder to {self.user} on {self.day}"
