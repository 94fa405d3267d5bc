from django.apps import AppConfig

from core.registry import registry


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from . import signals  # noqa: F401  (Django's way: connect receivers when ready)

        registry.register_model("synonym", self.get_model("Synonym"))
