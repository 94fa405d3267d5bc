"""Keeps ``Document`` rows (and so the engine's index) in step with the published pages.

Only published pages are indexed; the search also filters by each model's
``published()`` queryset when it reads results, so a draft can never show.
``index_object``/``remove_object`` run from signals on every admin save and
delete; ``rebuild`` runs after every content load and from
``manage.py rebuild_search_index``.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from core.registry import registry

from . import text
from .models import Document, Synonym, Word


def models() -> dict[str, type]:
    """Search kind -> page model, for every registered page type."""
    return {page_type.name: page_type.model for page_type in registry if page_type.searchable}


def kind_of(obj) -> str:
    return registry.for_model(type(obj)).name


def source_fields(model) -> set[str]:
    """Fields whose change changes what search knows: a save touching none is ignored."""
    derived = set(model.derived_fields)
    return {f.name for f in model._meta.concrete_fields} - derived - {"source_hash", "updated"}


def make_document(obj) -> Document:
    return Document(
        kind=kind_of(obj), object_id=obj.pk, url=obj.get_absolute_url(), **obj.search_document()
    )


def index_object(obj) -> None:
    kind = kind_of(obj)
    with transaction.atomic():
        if not obj.is_published:
            Document.objects.filter(kind=kind, object_id=obj.pk).delete()
        else:
            document = make_document(obj)
            Document.objects.update_or_create(
                kind=kind,
                object_id=obj.pk,
                defaults={
                    name: getattr(document, name)
                    for name in ("url", "title", "also_called", "summary", "body")
                },
            )
        rebuild_vocabulary()


def remove_object(obj) -> None:
    with transaction.atomic():
        Document.objects.filter(kind=kind_of(obj), object_id=obj.pk).delete()
        rebuild_vocabulary()


def rebuild() -> int:
    """Index every published page from scratch; returns the number of documents."""
    with transaction.atomic():
        Document.objects.all().delete()
        documents = [
            make_document(obj)
            for model in models().values()
            for obj in model.objects.published().order_by("pk")
        ]
        Document.objects.bulk_create(documents, batch_size=200)
        rebuild_vocabulary()
    return len(documents)


NAME_WEIGHT = 5


def rebuild_vocabulary() -> int:
    """The site's own words (names of published pages, synonyms), for "Did you mean"."""
    counts: Counter[str] = Counter()

    def add(value: str, weight: int):
        for word, n in Counter(text.words(value)).items():
            counts[word] += n * weight

    # Names only (titles, other names, questions) and synonyms: the words pages are
    # about, so a suggestion is a topic ("sciatica"), not any word ("singles" for "shingles").
    for title, also in Document.objects.values_list("title", "also_called"):
        add(f"{title} {also}", NAME_WEIGHT)
    for terms in Synonym.objects.active().values_list("terms", flat=True):
        add(terms, NAME_WEIGHT)
    counts = Counter(
        {
            w: n
            for w, n in counts.items()
            if 3 <= len(w) <= 60 and w.isalpha() and w not in text.STOPWORDS
        }
    )
    Word.objects.all().delete()
    Word.objects.bulk_create(
        [Word(word=w, length=len(w), weight=n) for w, n in sorted(counts.items())],
        batch_size=1000,
        ignore_conflicts=True,  # two staff saving at the same moment: both lists are right
    )
    return len(counts)
