"""The index follows every edit: save and delete of every registered page type,
and of the synonyms. Connected in ``SearchConfig.ready()`` (after every content
app has registered its page types)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.registry import registry
from core.signals import content_loaded

from . import index
from .models import Synonym


@receiver(post_save, dispatch_uid="search-page-save")
def _page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    page_type = registry.for_model(sender)
    if raw or page_type is None or not page_type.searchable or registry.cascades_are_paused:
        return
    if update_fields is not None and not (set(update_fields) & index.source_fields(sender)):
        return  # e.g. re-rendered HTML or the loader's fingerprint: nothing search reads
    index.index_object(instance)


@receiver(post_delete, dispatch_uid="search-page-delete")
def _page_deleted(sender, instance, **kwargs):
    page_type = registry.for_model(sender)
    if page_type is None or not page_type.searchable or registry.cascades_are_paused:
        return
    index.remove_object(instance)


@receiver(content_loaded, dispatch_uid="search-content-loaded")
def _content_loaded(sender, **kwargs):
    index.rebuild()  # the search index follows every load


@receiver(post_save, sender=Synonym, dispatch_uid="search-synonym-save")
@receiver(post_delete, sender=Synonym, dispatch_uid="search-synonym-delete")
def _synonyms_changed(sender, raw=False, **kwargs):
    if raw or registry.cascades_are_paused:
        return
    index.rebuild_vocabulary()
