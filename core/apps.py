from django.apps import AppConfig

from core import page_cache
from core.registry import registry


class CoreConfig(AppConfig):
    """The kernel: what every page type shares (base models, Markdown, readability, SEO,
    the page-type registry and the site's template tags)."""

    name = "core"
    verbose_name = "Site kernel"

    def ready(self):
        registry.add_list_pages("how_we_write")
        page_cache.connect_signals()  # every registered model bumps the content version
