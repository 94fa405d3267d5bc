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
# Added by painsite.markdown after sanitizing: glossary pop-ups (a definition that is
# not part of the page's own text) and decorative icons.
_NOT_TEXT = re.compile(
    r'<span class="gloss-pop"[^>]*>.*?</span>|<span[^>]*aria-hidden="true"[^>]*>.*?</span>',
    re.DOTALL,
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")
_SPACE_AFTER_BRACKET = re.compile(r"\(\s+")


def plain_text(rendered_html: str) -> str:
    """The words a patient reads on the page, from the HTML made on save."""
    without = _NOT_TEXT.sub(" ", rendered_html or "")
    words = " ".join(html.unescape(_TAG.sub(" ", without)).split())
    return _SPACE_AFTER_BRACKET.sub("(", _SPACE_BEFORE_PUNCTUATION.sub(r"\1", words))


def document_fields(kind: str, obj) -> dict:
    if kind == Kind.PROCEDURE:
        glance = " ".join(f"{label}: {value.rstrip('.')}." for label, value in obj.at_a_glance)
        return {
            "title": obj.title,
            "also_called": obj.also_called,
            "summary": f"{obj.summary} {obj.main_message}",
            "body": f"{glance} {plain_text(obj.body_html)}",
        }
    if kind == Kind.CONDITION:
        return {
            "title": obj.title,
            "also_called": obj.also_called,
            "summary": obj.summary,
            "body": plain_text(obj.body_html),
        }
    if kind == Kind.FAQ:
        answer = plain_text(obj.answer_html)
        return {"title": obj.question, "also_called": "", "summary": "", "body": answer}
    return {
        "title": obj.term,
        "also_called": obj.also_called,
        "summary": plain_text(obj.definition_html),
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
