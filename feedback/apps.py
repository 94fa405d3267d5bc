from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """ "Was this page helpful?" on procedure and condition pages, and what staff see of it."""

    name = "feedback"
    verbose_name = "Page feedback"
