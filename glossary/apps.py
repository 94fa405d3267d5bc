from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from core.registry import PageType, registry


class GlossaryConfig(AppConfig):
    name = "glossary"
    verbose_name = "Glossary"

    def ready(self):
        registry.add_list_pages("glossary:list")
        term = self.get_model("GlossaryTerm")
        registry.register(
            PageType(
                term,
                name="glossary",
                folder="glossary",
                front_matter=("term", "slug", "status", "also_called"),
                required=frozenset({"term", "slug"}),
                file_defaults={"status": "published"},
                name_field="term",
                names_are_terms=True,
                glossary_links=False,
                load_order=10,  # before the pages that link to its terms
            )
        )
        registry.set_glossary_source(term.objects.entries)
        post_save.connect(glossary_changed, sender=term, dispatch_uid="glossary-rerender-save")
        post_delete.connect(glossary_changed, sender=term, dispatch_uid="glossary-rerender-del")


def glossary_changed(sender, raw=False, update_fields=None, **kwargs):
    """Term links on every page follow the glossary: pages render again."""
    if raw or registry.cascades_are_paused:
        return
    if update_fields and set(update_fields) <= set(sender.derived_fields):
        return
    registry.rerender(only=lambda page_type: Q() if page_type.glossary_links else None)
