from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel: what every page type shares (base models, Markdown, readability, SEO,
    the page-type registry and the site's template tags)."""

    name = "core"
    verbose_name = "Site kernel"
