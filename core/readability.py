"""Readability scoring for patient pages (Flesch–Kincaid grade and SMOG).

Pure Python, no Django: the content report, the admin and the test suite all
call :func:`score_markdown`. It works offline (textstat 0.7.4 counts syllables
with pyphen's bundled dictionaries).

As the NHS does, procedure names and glossary terms are left out of the scored
text: they are words a patient meets on purpose and learns on the page. Each is
replaced by a one-syllable stand-in so that sentence lengths stay honest.

Check files while writing with ``python manage.py readability FILE.md ...``.
"""

from __future__ import annotations

import functools
import re
import statistics
from dataclasses import dataclass

import textstat

SECTION_MAX_GRADE = 8.0
PAGE_MEDIAN_MAX_GRADE = 6.5
_STAND_IN = "term"

# The closing '#'s of a heading are taken off by heading(), not by the pattern: a lazy
# group followed by \s*#*\s*$ backtracks cubically on a long run of spaces.
_HEADING = re.compile(r"(#{2,3})\s+(.+)")
# No brackets inside the brackets: each '[' is tried once, so a line of 25,000 '['
# is not scanned 25,000 times.
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_INLINE = re.compile(r"[*_`]+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_END = re.compile(r"[.!?:;]$")


@dataclass(frozen=True)
class SectionScore:
    heading: str
    grade: float
    smog: float
    words: int

    @property
    def too_hard(self) -> bool:
        return self.grade > SECTION_MAX_GRADE


@dataclass(frozen=True)
class PageScore:
    sections: tuple[SectionScore, ...]

    @property
    def median(self) -> float:
        grades = [s.grade for s in self.sections if s.words]
        return round(statistics.median(grades), 1) if grades else 0.0

    @property
    def worst(self) -> SectionScore | None:
        return max(self.sections, key=lambda s: s.grade, default=None)

    def problems(self) -> list[str]:
        found = [
            f"section '{s.heading}' reads at grade {s.grade} (limit {SECTION_MAX_GRADE})"
            for s in self.sections
            if s.too_hard
        ]
        if self.median > PAGE_MEDIAN_MAX_GRADE:
            found.append(f"page median grade {self.median} (limit {PAGE_MEDIAN_MAX_GRADE})")
        return found


def plain_text(markdown_text: str) -> str:
    """Markdown to prose: each list item, table row and line block ends a sentence."""
    sentences: list[str] = []
    for raw in markdown_text.splitlines():
        line = raw.strip()
        if not line or _TABLE_RULE.match(line) or line.startswith(("<", "{:")):
            continue
        line = line.lstrip("> ")
        line = _LIST_MARK.sub("", line)
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|") if c.strip()]
            line = ". ".join(cells)
        line = _LINK.sub(r"\1", line)
        line = _INLINE.sub("", line).strip()
        if not line:
            continue
        if not _END.search(line):
            line += "."
        sentences.append(line)
    return " ".join(sentences)


def _exclusion_pattern(terms) -> re.Pattern | None:
    return _compiled_exclusions(tuple(sorted({t.strip() for t in terms if t and t.strip()})))


@functools.lru_cache(maxsize=16)
def _compiled_exclusions(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in longest_first) + r")\b", re.IGNORECASE
    )


def score_text(text: str, exclude=None) -> tuple[float, float, int]:
    pattern = exclude if isinstance(exclude, re.Pattern) or exclude is None else None
    if pattern is None and exclude:
        pattern = _exclusion_pattern(exclude)
    if pattern is not None:
        text = pattern.sub(_STAND_IN, text)
    words = textstat.lexicon_count(text)
    if not words:
        return 0.0, 0.0, 0
    return (
        round(textstat.flesch_kincaid_grade(text), 1),
        round(textstat.smog_index(text), 1),
        words,
    )


def heading(line: str) -> tuple[int, str] | None:
    """``(2, "Title")`` for a ``## Title ##`` line, ``(3, ...)`` for ``###``, else None."""
    match = _HEADING.fullmatch(line)
    if not match:
        return None
    title = match.group(2).rstrip().rstrip("#").rstrip()
    return len(match.group(1)), title or match.group(2)[:1]


def split_sections(markdown_text: str) -> list[tuple[str, str]]:
    """Split on ``##`` headings; text before the first heading is 'Introduction'."""
    sections: list[tuple[str, list[str]]] = [("Introduction", [])]
    for line in markdown_text.splitlines():
        found = heading(line)
        if found and found[0] == 2:
            sections.append((found[1], []))
        elif found:  # ### sub-heading: a sentence of its section
            sections[-1][1].append(found[1])
        else:
            sections[-1][1].append(line)
    return [(h, "\n".join(lines)) for h, lines in sections if "\n".join(lines).strip()]


def score_markdown(markdown_text: str, exclude=()) -> PageScore:
    words = tuple(sorted({t.strip() for t in exclude if t and t.strip()}))
    return _score_markdown(markdown_text, words)


@functools.lru_cache(maxsize=1024)  # pure: pages are scored again on every save and load
def _score_markdown(markdown_text: str, words: tuple[str, ...]) -> PageScore:
    pattern = _compiled_exclusions(words)
    scores = []
    for heading, body in split_sections(markdown_text):
        grade, smog, words = score_text(plain_text(body), pattern)
        scores.append(SectionScore(heading, grade, smog, words))
    return PageScore(tuple(scores))


def long_sentences(markdown_text: str, limit: int = 20) -> list[str]:
    """Sentences longer than ``limit`` words (headings and list items count as sentences)."""
    prose = plain_text("\n".join(body for _, body in split_sections(markdown_text)))
    return [s for s in re.split(r"(?<=[.!?])\s+", prose) if len(s.split()) > limit]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_lines(markdown_text: str) -> list[tuple[int, str]]:
    """``(line, sentence)`` for every sentence of the text, as :func:`long_sentences` reads
    it (``##`` headings left out, ``###`` headings and list items count as sentences); the
    line is where the sentence starts, counted from 1."""
    fragments: list[tuple[int, str]] = []
    for number, line in enumerate((markdown_text or "").split("\n"), start=1):
        found = heading(line)
        if found and found[0] == 2:
            continue
        prose = plain_text(found[1] if found else line)
        if prose:
            fragments.append((number, prose))
    joined, starts = "", []
    for number, prose in fragments:
        if joined:
            joined += " "
        starts.append((len(joined), number))
        joined += prose
    out, position = [], 0
    for sentence in _SENTENCE_END.split(joined) if joined else []:
        position = joined.index(sentence, position)
        line = next(n for start, n in reversed(starts) if start <= position)
        out.append((line, sentence))
        position += len(sentence)
    return out


def long_sentence_lines(markdown_text: str, limit: int = 20) -> list[tuple[int, str]]:
    """``(line, sentence)`` for each sentence over ``limit`` words (see :func:`long_sentences`)."""
    return [(line, s) for line, s in sentence_lines(markdown_text) if len(s.split()) > limit]


def section_lines(markdown_text: str) -> dict[str, int]:
    """The line of each ``##`` section's heading ("Introduction": line 1), first one wins."""
    found = {"Introduction": 1}
    for number, line in enumerate((markdown_text or "").split("\n"), start=1):
        match = heading(line)
        if match and match[0] == 2:
            found.setdefault(match[1], number)
    return found
