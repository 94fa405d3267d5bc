"""The editorial app holds the content loader, exporter, reports and the workflow permissions."""

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
