from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_save

from core.registry import PageType, registry


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Shared safety blocks"

    def ready(self):
        block = self.get_model("SafetyBlock")
        registry.register(
            PageType(
                block,
                name="safety block",
                folder="safety",
                front_matter=("title", "slug", "status", "order", "watch_phrases", "sources"),
                required=frozenset({"title", "slug", "sources"}),
                file_defaults={"status": "published"},
                glossary_links=False,
                searchable=False,
                load_order=5,  # before every page that includes one
            )
        )
        registry.set_block_source(block.objects.blocks)
        post_save.connect(block_changed, sender=block, dispatch_uid="safety-block-rerender")


def block_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """Pages that include the block show its new text (or lose it when it is hidden)."""
    if raw or registry.cascades_are_paused:
        return
    if update_fields and set(update_fields) <= set(sender.derived_fields):
        return
    slug = instance.slug
    registry.rerender(
        only=lambda page_type: (
            None if page_type.model is sender else Q(**{f"{page_type.text_field}__contains": slug})
        )
    )
