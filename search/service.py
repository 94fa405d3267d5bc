"""From what a patient typed to ranked results with highlighted snippets.

1. Clean the query (length cap, control characters, Unicode normal form).
2. Split it into concepts: runs of words that match a synonym group become one
   concept whose alternatives are every phrase of the group; other words stand
   alone. Stop words ("what", "is", "my") are left out.
3. The engine (``search.engines``) says where each concept matched.
4. Rank: each concept scores by the best field it matched in (names, then
   summary, then body), weighted by how rare it is on the site; the whole query
   as a phrase, an exact name match and the kind of page add to that.
5. A word that matches nothing on the site is checked against the site's own
   vocabulary for a close spelling ("Did you mean"); when the query finds
   nothing at all, the corrected query is searched instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import text
from .engines import BODY, CANDIDATES, NAMES, SUMMARY, Concept, EngineQuery, get_engine
from .index import models
from .models import Document, Kind, Synonym, Word

MAX_CONCEPTS = 10
MAX_PHRASE_WORDS = 6
LEVEL_SCORE = {NAMES: 1.0, SUMMARY: 0.5, BODY: 0.25}
PHRASE_SCORE = {NAMES: 0.4, SUMMARY: 0.15, BODY: 0.08}
EXACT_NAME_SCORE = 0.5
KIND_SCORE = {Kind.PROCEDURE: 0.12, Kind.CONDITION: 0.1, Kind.FAQ: 0.05, Kind.GLOSSARY: 0.0}
ENGINE_SCORE = 0.5
SNIPPET_CHARS = 220


@dataclass
class Result:
    kind: str
    title: str
    url: str
    snippet: SafeString
    score: float

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


@dataclass
class SearchResults:
    query: str = ""
    cut: bool = False
    results: list[Result] = field(default_factory=list)
    count: int = 0
    suggestion: str = ""  # "Did you mean …?"
    corrected_from: str = ""  # the query as typed, when the results are for ``query`` instead

    @property
    def searched(self) -> bool:
        return bool(self.query)


# --- synonyms ------------------------------------------------------------------


def synonym_table() -> dict[tuple[str, ...], frozenset[tuple[str, ...]]]:
    """Stemmed phrase → the phrases (as content words) that mean the same. One query."""
    return _table(tuple(Synonym.objects.active().order_by("pk").values_list("terms", flat=True)))


@lru_cache(maxsize=8)
def _table(all_terms: tuple[str, ...]) -> dict[tuple[str, ...], frozenset[tuple[str, ...]]]:
    table: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for terms in all_terms:
        for key, group in _parse_group(terms):
            table.setdefault(key, set()).update(group)
    return {key: frozenset(group) for key, group in table.items()}


@lru_cache(maxsize=4096)
def _parse_group(terms: str) -> tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]:
    group = []
    for line in terms.splitlines():
        content = tuple(w for w in text.words(line) if text.is_content_word(w))
        if content and content not in group:
            group.append(content)
    group_tuple = tuple(group)
    return tuple((tuple(text.stem(w) for w in phrase), group_tuple) for phrase in group)


def concepts_for(content_words: list[str], table) -> list[Concept]:
    stems = [text.stem(w) for w in content_words]
    longest = max((len(k) for k in table), default=1)
    concepts: list[Concept] = []
    i = 0
    while i < len(stems) and len(concepts) < MAX_CONCEPTS:
        for size in range(min(longest, len(stems) - i), 0, -1):
            key = tuple(stems[i : i + size])
            if key in table:
                typed = tuple(content_words[i : i + size])
                alternatives = sorted(table[key] - {typed})
                concept = Concept(alternatives=(typed, *alternatives))
                i += size
                break
        else:
            concept = Concept(alternatives=((content_words[i],),))
            i += 1
        if concept not in concepts:  # "pain pain pain" is one idea
            concepts.append(concept)
    return concepts


# --- spelling ------------------------------------------------------------------


def max_distance(word: str) -> int:
    if len(word) < 5:
        return 0
    return 1 if len(word) < 8 else 2


def corrections(unknown: list[str]) -> dict[str, str]:
    """Closest words of the site's vocabulary for words that match nothing. One query."""
    unknown = [w for w in unknown if w.isalpha() and max_distance(w)]
    if not unknown:
        return {}
    wanted = Q()
    for word in unknown:
        d = max_distance(word)
        wanted |= Q(length__range=(len(word) - d, len(word) + d))
    vocabulary = dict(Word.objects.filter(wanted).values_list("word", "weight"))
    found = {}
    for word in unknown:
        d = max_distance(word)
        matches = process.extract(
            word, list(vocabulary), scorer=OSA.distance, score_cutoff=d, limit=20
        )
        if matches:
            best = min(matches, key=lambda m: (m[1], m[0][0] != word[0], -vocabulary[m[0]]))
            found[word] = best[0]
    return found


def apply_corrections(query: str, found: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        return found.get(match.group(0).casefold(), match.group(0))

    return re.sub(r"[^\W_]+", replace, query)


# --- ranking -------------------------------------------------------------------


def exact_name(query_stems: tuple[str, ...], document: Document) -> bool:
    return query_stems in _name_keys(document.title, document.also_called)


@lru_cache(maxsize=4096)
def _name_keys(title: str, also_called: str) -> frozenset[tuple[str, ...]]:
    return frozenset(text.content_stems(name) for name in [title, *also_called.splitlines()])


def rank(hits, concepts) -> list[tuple[int, float]]:
    total = max(hits.total_documents, 1)
    # A concept made of several typed words (a matched synonym phrase) counts for each word.
    idf = [
        math.log((total + 1) / (hits.document_frequency(i) + 0.5)) * len(c.alternatives[0])
        for i, c in enumerate(concepts)
    ]
    idf_sum = sum(idf) or 1.0
    best_rank = max(hits.rank.values(), default=0.0) or 1.0
    scored = []
    for doc_id, found in hits.levels.items():
        score = sum(idf[i] * LEVEL_SCORE[level] for i, level in found.items()) / idf_sum
        score += PHRASE_SCORE.get(hits.phrase.get(doc_id, 0), 0.0)
        score += ENGINE_SCORE * max(hits.rank.get(doc_id, 0.0), 0.0) / best_rank
        scored.append((doc_id, score))
    return scored


def published_keys() -> set[tuple[str, int]]:
    """(kind, id) of every page that passes its model's ``published()`` queryset. One query."""
    sql, params = _published_sql(connection.alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(kind, pk) for kind, pk in cursor.fetchall()}


@lru_cache(maxsize=8)
def _published_sql(alias: str, vendor: str) -> tuple[str, tuple]:
    """The SQL of the four ``published()`` querysets as one UNION, compiled once per process."""
    querysets = [
        model.objects.using(alias)
        .published()
        .order_by()
        .annotate(search_kind=Value(str(kind)))
        .values_list("search_kind", "pk")
        for kind, model in models().items()
    ]
    union = querysets[0].union(*querysets[1:], all=True)
    sql, params = union.query.sql_with_params()
    return sql, tuple(params)


# --- snippets ------------------------------------------------------------------


_WORD = re.compile(r"[^\W_]+")


def _matches(value: str, stems: set[str], limit: int = 40) -> list[re.Match]:
    """The first ``limit`` words of ``value`` whose stem is one of ``stems``."""
    found = []
    for match in _candidates(frozenset(stems)).finditer(value):
        if text.stem(match.group(0).casefold()) in stems:
            found.append(match)
            if len(found) >= limit:
                break
    return found


@lru_cache(maxsize=256)
def _candidates(stems: frozenset[str]) -> re.Pattern:
    """Words that may have one of ``stems`` (a stem is nearly always the word's start)."""
    prefixes = sorted({s[:-1] if len(s) > 3 else s for s in stems if s}, key=len, reverse=True)
    if not prefixes:
        return re.compile(r"(?!x)x")
    alternatives = "|".join(re.escape(p) for p in prefixes)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def highlight(value: str, stems: set[str]) -> SafeString:
    """Plain text → escaped HTML with the matched words in <mark>."""
    out = []
    last = 0
    for match in _matches(value, stems):
        out.append(escape(value[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(value[last:]))
    return mark_safe("".join(out))  # every piece escaped above


def snippet(document: Document, stems: set[str]) -> SafeString:
    """The summary if it holds a matched word, else the body from the best sentence on."""
    if document.summary and _matches(document.summary, stems):
        return highlight(_shorten(document.summary, 0), stems)
    body = document.body
    found = _matches(body, stems) if body else []
    if found:
        best_start, best_count = 0, 0
        for i, match in enumerate(found):
            window = {
                text.stem(m.group(0).casefold())
                for m in found[i:]
                if m.start() - match.start() < SNIPPET_CHARS
            }
            if len(window) > best_count:
                best_start, best_count = match.start(), len(window)
        sentence = max(body.rfind(". ", 0, best_start), body.rfind("? ", 0, best_start))
        start = sentence + 2 if sentence >= 0 and best_start - sentence < 120 else best_start
        return highlight(_shorten(body, start), stems)
    return highlight(_shorten(document.summary or body, 0), stems)


def _shorten(value: str, start: int) -> str:
    value = value[start:].strip()
    prefix = "… " if start else ""
    if len(value) <= SNIPPET_CHARS:
        return prefix + value
    return prefix + value[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


# --- the search ----------------------------------------------------------------


def search(raw_query: str | None, limit: int = 10, *, correct: bool = True) -> SearchResults:
    query, cut = text.clean_query(raw_query)
    outcome = SearchResults(query=query, cut=cut)
    all_words = text.words(query)
    content_words = [w for w in all_words if text.is_content_word(w)]
    if not content_words:
        return outcome
    concepts = concepts_for(content_words, synonym_table())
    phrase = _phrase(all_words)
    engine = get_engine()
    hits = engine.match(EngineQuery(concepts=tuple(concepts), phrase=phrase))

    if correct:
        unknown = [
            c.alternatives[0][0]
            for i, c in enumerate(concepts)
            if len(c.alternatives) == 1
            and len(c.alternatives[0]) == 1
            and hits.document_frequency(i) == 0
        ]
        found = corrections(unknown) if unknown else {}
        if found:
            corrected = apply_corrections(query, found)
            if not hits.levels:
                again = search(corrected, limit, correct=False)
                again.corrected_from = query
                again.cut = cut
                return again
            outcome.suggestion = corrected

    scored = rank(hits, concepts)
    if not scored:
        return outcome
    candidates = Document.objects.filter(pk__in=[doc_id for doc_id, _ in scored]).only(
        "pk", "kind", "object_id", "title", "also_called", "url"
    )
    published = published_keys()  # drafts never show, even if the index were behind
    by_id = {d.pk: d for d in candidates if (d.kind, d.object_id) in published}
    query_stems = tuple(text.stem(w) for w in content_words)
    final = []
    for doc_id, score in scored:
        document = by_id.get(doc_id)
        if document is None:
            continue  # not published any more: the index is behind; never shown
        score += KIND_SCORE.get(document.kind, 0.0)
        if exact_name(query_stems, document):
            score += EXACT_NAME_SCORE
        final.append((score, document))
    final.sort(key=lambda item: (-item[0], item[1].title))
    final = final[:limit]
    texts = {
        pk: (summary, body)
        for pk, summary, body in Document.objects.filter(
            pk__in=[d.pk for _, d in final]
        ).values_list("pk", "summary", "body")
    }
    stems = {text.stem(w) for c in concepts for alt in c.alternatives for w in alt}
    # When the database kept only the best candidates, the others are counted too.
    beyond = hits.matched - len(hits.rank) if len(hits.rank) >= CANDIDATES else 0
    outcome.count = len(by_id) + max(beyond, 0)
    for score, document in final:
        document.summary, document.body = texts.get(document.pk, ("", ""))
        outcome.results.append(
            Result(
                kind=document.kind,
                title=document.title,
                url=document.url,
                snippet=snippet(document, stems),
                score=round(score, 4),
            )
        )
    return outcome


def _phrase(all_words: list[str]) -> tuple[str, ...]:
    """The typed words from the first to the last content word (at most a few)."""
    positions = [i for i, w in enumerate(all_words) if text.is_content_word(w)]
    if len(positions) < 2:
        return ()
    span = all_words[positions[0] : positions[-1] + 1]
    return tuple(span) if len(span) <= MAX_PHRASE_WORDS else ()
