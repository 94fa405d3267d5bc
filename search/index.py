"""Keeps ``Document`` rows (and so the engine's index) in step with the published pages.

Only published pages are indexed; the search also filters by each model's
``published()`` queryset when it reads results, so a draft can never show.
``index_object``/``remove_object`` run from signals on every admin save and
delete; ``rebuild`` runs after every content load and from
``manage.py rebuild_search_index``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from contextlib import contextmanager

from django.db import transaction

from faq.models import FAQ
from glossary.models import GlossaryTerm
from painsite import markdown
from procedures.models import Condition, Procedure

from . import text
from .models import Document, Kind, Synonym, Word

MODELS = {
    Kind.PROCEDURE: Procedure,
    Kind.CONDITION: Condition,
    Kind.FAQ: FAQ,
    Kind.GLOSSARY: GlossaryTerm,
}
KIND_OF = {model: kind for kind, model in MODELS.items()}
# Fields whose change changes what search knows; a save touching none of them is ignored.
SOURCE_FIELDS = {
    "status", "slug", "title", "also_called", "summary", "main_message", "body", "used_for",
    "duration", "sedation", "driver", "relief_starts", "relief_lasts", "question", "answer",
    "term", "definition",
}  # fmt: skip

_STATE = {"suspended": 0}
_TAG = re.compile(r"<[^>]+>")


def plain_text(markdown_text: str) -> str:
    """Markdown as the words a patient reads (no markup, no glossary pop-ups)."""
    rendered = markdown.render_fragment(markdown_text or "")
    return " ".join(html.unescape(_TAG.sub(" ", rendered)).split())


def document_fields(kind: str, obj) -> dict:
    if kind == Kind.PROCEDURE:
        glance = " ".join(f"{label}: {value}." for label, value in obj.at_a_glance)
        return {
            "title": obj.title,
            "also_called": obj.also_called,
            "summary": f"{obj.summary} {obj.main_message}",
            "body": f"{glance} {plain_text(obj.body)}",
        }
    if kind == Kind.CONDITION:
        return {
            "title": obj.title,
            "also_called": obj.also_called,
            "summary": obj.summary,
            "body": plain_text(obj.body),
        }
    if kind == Kind.FAQ:
        answer = plain_text(obj.answer)
        return {"title": obj.question, "also_called": "", "summary": "", "body": answer}
    return {
        "title": obj.term,
        "also_called": obj.also_called,
        "summary": plain_text(obj.definition),
        "body": "",
    }


def make_document(obj) -> Document:
    kind = KIND_OF[type(obj)]
    return Document(
        kind=kind, object_id=obj.pk, url=obj.get_absolute_url(), **document_fields(kind, obj)
    )


@contextmanager
def suspended():
    """No per-object updates inside (e.g. during a content load that rebuilds at the end)."""
    _STATE["suspended"] += 1
    try:
        yield
    finally:
        _STATE["suspended"] -= 1


def is_suspended() -> bool:
    return _STATE["suspended"] > 0


def index_object(obj) -> None:
    kind = KIND_OF[type(obj)]
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
        Document.objects.filter(kind=KIND_OF[type(obj)], object_id=obj.pk).delete()
        rebuild_vocabulary()


def rebuild() -> int:
    """Index every published page from scratch; returns the number of documents."""
    with transaction.atomic():
        Document.objects.all().delete()
        documents = [
            make_document(obj)
            for model in MODELS.values()
            for obj in model.objects.published().order_by("pk")
        ]
        Document.objects.bulk_create(documents, batch_size=200)
        rebuild_vocabulary()
    return len(documents)


NAME_WEIGHT, SUMMARY_WEIGHT = 5, 2


def rebuild_vocabulary() -> int:
    """The site's own words (from published pages and synonyms), for "Did you mean"."""
    counts: Counter[str] = Counter()

    def add(value: str, weight: int):
        for word in text.words(value):
            if 3 <= len(word) <= 60 and word.isalpha() and word not in text.STOPWORDS:
                counts[word] += weight

    for title, also, summary, body in Document.objects.values_list(
        "title", "also_called", "summary", "body"
    ):
        add(f"{title} {also}", NAME_WEIGHT)
        add(summary, SUMMARY_WEIGHT)
        add(body, 1)
    for terms in Synonym.objects.active().values_list("terms", flat=True):
        add(terms, NAME_WEIGHT)
    Word.objects.all().delete()
    Word.objects.bulk_create(
        [Word(word=w, length=len(w), weight=n) for w, n in sorted(counts.items())],
        batch_size=1000,
    )
    return len(counts)
