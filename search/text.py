"""Words: cleaning a query, splitting text into words, stems and stop words.

Everything here is pure Python and shared by both engines, so that the
query a patient typed is read the same way on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_QUERY_LENGTH = 200

# PostgreSQL's English stop words (the Snowball list), so that both engines
# ignore the same words, plus a few that only appear in questions.
STOPWORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than
    too very s t can will just don should now would could please im ive dont cant
    doesnt isnt get got really
    """.split()
)

_WORD = re.compile(r"[^\W_]+")
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean_query(raw: str | None) -> tuple[str, bool]:
    """The query as typed, made safe to search for and to show: (text, was_cut)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _UNSAFE.sub(" ", text)
    text = " ".join(text.split())
    cut = len(text) > MAX_QUERY_LENGTH
    if cut:
        text = text[:MAX_QUERY_LENGTH].strip()
    return text, cut


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) in order."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def is_content_word(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if is_content_word(w))
