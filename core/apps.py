from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel: what every page type shares (base models, Markdown, readability, SEO,
    the page-type registry and the site's template tags)."""

    name = "core"
    verbose_name = "Site kernel"

    def ready(self):
        from . import page_cache

        page_cache.connect_signals()  # every registered model bumps the content version
