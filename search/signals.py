"""The index follows every admin edit: save and delete of the four content models."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import index
from .models import Synonym


def _page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or index.is_suspended():
        return
    if update_fields is not None and not (set(update_fields) & index.SOURCE_FIELDS):
        return  # e.g. re-rendered HTML or the loader's fingerprint: nothing search reads
    index.index_object(instance)


def _page_deleted(sender, instance, **kwargs):
    if index.is_suspended():
        return
    index.remove_object(instance)


for _model in index.MODELS.values():
    post_save.connect(_page_saved, sender=_model, dispatch_uid=f"search-save-{_model.__name__}")
    post_delete.connect(
        _page_deleted, sender=_model, dispatch_uid=f"search-delete-{_model.__name__}"
    )


@receiver(post_save, sender=Synonym, dispatch_uid="search-synonym-save")
@receiver(post_delete, sender=Synonym, dispatch_uid="search-synonym-delete")
def _synonyms_changed(sender, raw=False, **kwargs):
    if raw or index.is_suspended():
        return
    index.rebuild_vocabulary()
