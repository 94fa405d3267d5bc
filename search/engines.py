"""The database's own full-text search, behind one small interface.

A query reaches an engine already split into *concepts* (a word, or a phrase
with its synonyms as alternatives), each alternative a tuple of plain words.
The engine answers, for every page that matches any concept, in which field
each concept matched (names, summary or body), whether the query matched as a
phrase there, and the engine's own relevance score. ``search.service`` turns
those facts into the final ranking, the same way for every engine.

Patients' text never becomes query syntax: SQLite gets every word as a quoted
FTS5 string (so ``NEAR(``, ``*``, ``-``, ``OR`` are just words) and PostgreSQL
gets every phrase as a bound parameter of ``plainto_tsquery``/``phraseto_tsquery``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

NAMES, SUMMARY, BODY = 3, 2, 1
LEVELS = (NAMES, SUMMARY, BODY)
# The database ranks every match (FTS5 bm25, PostgreSQL ts_rank) and hands over only the
# best CANDIDATES; Python re-ranks those. How many pages match each concept, and in all,
# is still counted over the whole index (rare words weigh more; "N results").
CANDIDATES = 300


@dataclass(frozen=True)
class Concept:
    alternatives: tuple[tuple[str, ...], ...]  # each alternative: content words in order


@dataclass(frozen=True)
class EngineQuery:
    concepts: tuple[Concept, ...]
    phrase: tuple[str, ...] = ()  # the words as typed (stop words too), for phrase matches


@dataclass
class Hits:
    total_documents: int = 0
    levels: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    phrase: dict[int, int] = field(default_factory=dict)
    rank: dict[int, float] = field(default_factory=dict)
    frequency: dict[int, int] = field(default_factory=dict)  # concept -> pages matching it
    matched: int = 0  # pages matching any concept (the candidates are at most CANDIDATES)

    def add_level(self, doc_id: int, concept: int, level: int):
        current = self.levels[doc_id].get(concept, 0)
        if level > current:
            self.levels[doc_id][concept] = level

    def document_frequency(self, concept: int) -> int:
        if concept in self.frequency:
            return self.frequency[concept]
        return sum(1 for found in self.levels.values() if concept in found)

    @property
    def ids(self) -> set[int]:
        return set(self.levels)


class Engine:
    name = "none"

    def match(self, query: EngineQuery) -> Hits:  # pragma: no cover - interface
        raise NotImplementedError


def _fts_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class SQLiteFTS5Engine(Engine):
    """SQLite's FTS5 table ``search_fts`` (Porter stemmer), kept in step by triggers."""

    name = "SQLite FTS5"
    COLUMNS = {NAMES: "names", SUMMARY: "summary", BODY: "body"}
    BM25_WEIGHTS = (10.0, 4.0, 1.0)

    @staticmethod
    def _concept(concept: Concept) -> str:
        alternatives = [
            "(" + " AND ".join(_fts_string(w) for w in alternative) + ")"
            for alternative in concept.alternatives
        ]
        return "(" + " OR ".join(alternatives) + ")"

    def match(self, query: EngineQuery) -> Hits:
        weights = ", ".join(str(w) for w in self.BM25_WEIGHTS)
        every = " OR ".join(self._concept(c) for c in query.concepts)
        # bm25 over every match (lower is better); only the best CANDIDATES come back.
        parts = [
            f"SELECT * FROM (SELECT rowid, -2, 0, -bm25(search_fts, {weights}) "
            "FROM search_fts WHERE search_fts MATCH %s "
            f"ORDER BY bm25(search_fts, {weights}), rowid LIMIT {CANDIDATES})"
        ]
        params: list[str] = [every]
        # In which field each concept matched. Only row ids travel; together they also
        # give how many pages match the concept, counted over the whole index.
        select = "SELECT rowid, {concept}, {level}, 0.0 FROM search_fts WHERE search_fts MATCH %s"
        for index, concept in enumerate(query.concepts):
            expression = self._concept(concept)
            for level in LEVELS:
                parts.append(select.format(concept=index, level=level))
                params.append(f"{self.COLUMNS[level]} : {expression}")
        if len(query.phrase) > 1:
            phrase = '"' + " ".join(query.phrase).replace('"', '""') + '"'
            for level in LEVELS:
                parts.append(select.format(concept=-1, level=level))
                params.append(f"{self.COLUMNS[level]} : {phrase}")
        parts.append("SELECT 0, -3, 0, count(*) FROM search_document")
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        hits = Hits()
        candidates = {doc_id for doc_id, concept, _, _ in rows if concept == -2}
        anywhere: dict[int, set[int]] = defaultdict(set)
        for doc_id, concept, level, value in rows:
            if concept >= 0:
                anywhere[concept].add(doc_id)
                if doc_id in candidates:
                    hits.add_level(doc_id, concept, level)
            elif concept == -1:
                if doc_id in candidates:
                    hits.phrase[doc_id] = max(level, hits.phrase.get(doc_id, 0))
            elif concept == -2:
                hits.rank[doc_id] = value
            else:
                hits.total_documents = int(value)
        hits.frequency = {index: len(anywhere[index]) for index in range(len(query.concepts))}
        hits.matched = len(set().union(*anywhere.values())) if anywhere else 0
        return hits


class PostgresEngine(Engine):
    """PostgreSQL full-text search over the generated, GIN-indexed ``search_document.vector``.

    Weights: A = title and other names, B = summary and main message, D = body.
    """

    name = "PostgreSQL full-text search"
    CONFIG = "english"
    WEIGHTS = {NAMES: "{a}", SUMMARY: "{b}", BODY: "{d}"}

    def match(self, query: EngineQuery) -> Hits:
        params: list[str] = []
        ctes: list[str] = []
        for index, concept in enumerate(query.concepts):
            alternatives = []
            for alternative in concept.alternatives:
                alternatives.append(f"plainto_tsquery('{self.CONFIG}', %s)")
                params.append(" ".join(alternative))
            ctes.append("(" + " || ".join(alternatives) + f") AS c{index}")
        has_phrase = len(query.phrase) > 1
        if has_phrase:
            ctes.append(f"phraseto_tsquery('{self.CONFIG}', %s) AS p")
            params.append(" ".join(query.phrase))
        columns = []
        for index in range(len(query.concepts)):
            for level in LEVELS:
                columns.append(f"ts_filter(d.vector, '{self.WEIGHTS[level]}') @@ q.c{index}")
        if has_phrase:
            for level in LEVELS:
                columns.append(f"ts_filter(d.vector, '{self.WEIGHTS[level]}') @@ q.p")
        every = " || ".join(f"q.c{i}" for i in range(len(query.concepts)))
        frequencies = ", ".join(
            f"count(*) FILTER (WHERE m.vector @@ q.c{i}) AS f{i}"
            for i in range(len(query.concepts))
        )
        # Every match is read once (``matched``): counted per concept and ranked with
        # ts_rank in the database; only the best CANDIDATES come back, with their fields.
        sql = (
            f"WITH q AS (SELECT {', '.join(ctes)}), "
            "matched AS MATERIALIZED ("
            f"SELECT d.id, d.vector FROM search_document d, q WHERE d.vector @@ ({every})), "
            f"stats AS (SELECT count(*) AS n, {frequencies} FROM matched m, q), "
            f"top AS (SELECT m.id, ts_rank(m.vector, {every}) AS r "
            f"FROM matched m, q ORDER BY r DESC, m.id LIMIT {CANDIDATES}) "
            "SELECT d.id, top.r, (SELECT count(*) FROM search_document), stats.n, "
            + ", ".join(f"stats.f{i}" for i in range(len(query.concepts)))
            + f", {', '.join(columns)} "
            "FROM top JOIN search_document d ON d.id = top.id, q, stats"
        )
        concepts = len(query.concepts)
        hits = Hits()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for row in rows:
            doc_id, rank, total, matched = row[0], row[1], row[2], row[3]
            frequency, flags = row[4 : 4 + concepts], row[4 + concepts :]
            hits.total_documents = total
            hits.matched = matched
            hits.frequency = dict(enumerate(frequency))
            hits.rank[doc_id] = float(rank)
            position = 0
            for index in range(concepts):
                for level in LEVELS:
                    if flags[position]:
                        hits.add_level(doc_id, index, level)
                    position += 1
            if has_phrase:
                for level in LEVELS:
                    if flags[position]:
                        hits.phrase[doc_id] = max(level, hits.phrase.get(doc_id, 0))
                    position += 1
        return hits


def get_engine() -> Engine:
    if connection.vendor == "postgresql":
        return PostgresEngine()
    if connection.vendor == "sqlite":
        return SQLiteFTS5Engine()
    raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")
