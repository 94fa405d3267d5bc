from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save

from core.registry import PageType, registry

# What pages show of a published term (see GlossaryQuerySet.entries): its words, its
# definition and the link to it. Drafts are not shown at all.
SHOWN_ON_PAGES = ("slug", "term", "also_called", "definition_html")


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
        pre_save.connect(glossary_saving, sender=term, dispatch_uid="glossary-shown-before")
        post_save.connect(glossary_changed, sender=term, dispatch_uid="glossary-rerender-save")
        post_delete.connect(glossary_deleted, sender=term, dispatch_uid="glossary-rerender-del")


def _shown(model, pk) -> tuple | None:
    """What pages show of the stored term ``pk``, or None if they show nothing of it."""
    if pk is None:
        return None
    return model.objects.published().filter(pk=pk).values_list(*SHOWN_ON_PAGES).first()


def _derived_only(sender, update_fields) -> bool:
    return bool(update_fields) and set(update_fields) <= set(sender.derived_fields)


def _rerender_pages():
    registry.rerender(only=lambda page_type: Q() if page_type.glossary_links else None)


def glossary_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or registry.cascades_are_paused or _derived_only(sender, update_fields):
        return
    instance._shown_before_save = None if instance._state.adding else _shown(sender, instance.pk)


def glossary_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """Term links on every page follow the glossary: pages render again, but only when
    what they show changed (a draft term, or a save that changes nothing shown, does not)."""
    before = instance.__dict__.pop("_shown_before_save", None)
    if raw or registry.cascades_are_paused or _derived_only(sender, update_fields):
        return
    if _shown(sender, instance.pk) != before:
        _rerender_pages()


def glossary_deleted(sender, instance, **kwargs):
    if registry.cascades_are_paused or not instance.is_published:
        return
    _rerender_pages()
