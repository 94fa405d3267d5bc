"""Markdown → safe HTML, done once when a page is saved.

1. Python-Markdown (tables, sane lists, heading ids). No ``attr_list`` or
   ``md_in_html``: editors cannot smuggle attributes through Markdown.
2. nh3 (the Rust ``ammonia`` sanitizer) with an allow-list: raw HTML, event
   handlers, ``style``, ``javascript:`` and ``data:`` URLs never survive.
3. Structure added *after* sanitizing, from trusted code only: each ``##``
   section wrapped in ``<section>``, "When to get help" turned into three care
   cards, and the first use of each glossary term made into a popover
   definition that works by keyboard and touch without JavaScript.

The result is stored in a ``*_html`` field; templates mark only that field safe.

Before any of that, :func:`check_limits` refuses text the renderer must not be
given (too long, nested too deeply, too many brackets left open): Python-Markdown
recurses once per nesting level and scans ahead from every ``[`` and ``(``, so
such text could crash a worker or keep it busy for minutes.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import markdown
import nh3

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em",
    "b", "i", "a", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th",
    "td", "img", "abbr", "sup", "sub", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

CARE_LEVELS = (
    ("emergency", "Emergency"),
    ("today", "Urgent – today"),
    ("followup", "Not urgent"),
)
HELP_SECTION_ID = "when-to-get-help"

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_H3 = re.compile(r"<h3[ >]")
_TAG = re.compile(r"(<[^>]+>)")
_SKIP_INSIDE = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "button", "th", "abbr"}


@dataclass(frozen=True)
class GlossaryEntry:
    slug: str
    words: tuple[str, ...]  # the term and its other forms
    definition: str  # plain text, entities decoded: link_glossary escapes it once
    url: str


@dataclass
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)


# --- limits: checked before rendering ------------------------------------------

# About 8,000 words: three and a half times the longest page (14,000 characters).
# Every limit below keeps the renderer's work roughly proportional to the length of
# the text; at the limits the slowest text found takes about 2 seconds to render.
MAX_MARKDOWN_CHARS = 50_000
# Lists inside lists, quotes inside quotes (each 4 spaces of indent counts as one).
MAX_NESTING = 10
# "[" or "(" still open at one point of a paragraph. Python-Markdown scans ahead
# from each one to its match (or the paragraph's end), so many unclosed ones make
# rendering quadratic: 27,000 unclosed "[" took over two minutes.
MAX_OPEN_BRACKETS = 10
# Lines in one block (a paragraph, list or table: lines with no blank line between).
# Python-Markdown re-reads the rest of a block after each heading or rule inside
# it, so a long block of headings or rules is quadratic as well.
MAX_BLOCK_LINES = 200
# Raw HTML tags (removed by the sanitizer anyway). Deeply nested block tags make
# the HTML parser quadratic too.
MAX_HTML_TAGS = 500

_CONTAINER_MARK = re.compile(r" *(?:>|[-*+](?= |$)|\d{1,9}[.)](?= |$))")
_BRACKET = re.compile(r"\\.|[\[\]()]")
_HTML_TAG = re.compile(r"<[A-Za-z/!?]")
_BRACKET_NAMES = {"[": ("square bracket", "[", "]"), "(": ("round bracket", "(", ")")}


class MarkdownTooComplex(ValueError):
    """Text refused before rendering; ``message`` says why in words staff understand.

    ``line`` is the line of the text (1 = its first line) where the problem is.
    """

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"Line {line}: {message}")


def _nesting(line: str) -> int:
    """How deeply a line is nested: list markers, quote markers and 4-space indents."""
    line = line.expandtabs(4)
    indent = len(line) - len(line.lstrip(" "))
    depth, pos = indent // 4, indent
    while match := _CONTAINER_MARK.match(line, pos):
        depth += 1
        pos = match.end()
    return depth


def limit_problems(text: str) -> list[MarkdownTooComplex]:
    """Every kind of limit the text breaks, each once, at the first line that breaks it."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")  # as Python-Markdown does
    if len(text) > MAX_MARKDOWN_CHARS:  # reported alone: nothing else is worth reading
        return [
            MarkdownTooComplex(
                text[:MAX_MARKDOWN_CHARS].count("\n") + 1,
                f"the text is {len(text):,} characters long; a page can hold at most "
                f"{MAX_MARKDOWN_CHARS:,}, reached on this line. Split it into shorter pages "
                "or shorten it.",
            )
        ]
    found: dict[str, MarkdownTooComplex] = {}
    open_count = {"[": 0, "(": 0}
    tags = block_lines = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip(" \t"):  # a blank line ends the paragraph
            open_count = {"[": 0, "(": 0}
            block_lines = 0
            continue
        block_lines += 1
        if block_lines > MAX_BLOCK_LINES and "block" not in found:
            found["block"] = MarkdownTooComplex(
                number,
                f"more than {MAX_BLOCK_LINES} lines follow each other without a blank line. "
                "Put a blank line between paragraphs, lists and headings.",
            )
        depth = _nesting(line)
        if depth > MAX_NESTING and "nesting" not in found:
            found["nesting"] = MarkdownTooComplex(
                number,
                f"this line is nested {depth} levels deep (lists inside lists, quotes "
                f"inside quotes, or indented text); at most {MAX_NESTING}. Remove extra "
                "'-', '*', '>' or '1.' marks or spaces at the start of the line.",
            )
        for match in _BRACKET.finditer(line):
            char = match.group()
            if char in open_count:
                open_count[char] += 1
                if open_count[char] > MAX_OPEN_BRACKETS and char not in found:
                    name, opening, closing = _BRACKET_NAMES[char]
                    found[char] = MarkdownTooComplex(
                        number,
                        f"more than {MAX_OPEN_BRACKETS} {name}s '{opening}' are open here "
                        f"without a matching '{closing}' in the same paragraph. Close each "
                        f"'{opening}' with '{closing}', or write \\{opening} to show the "
                        "bracket itself.",
                    )
            elif char == "]" and open_count["["]:
                open_count["["] -= 1
            elif char == ")" and open_count["("]:
                open_count["("] -= 1
        if "tags" not in found and "<" in line:
            tags += len(_HTML_TAG.findall(line))
            if tags > MAX_HTML_TAGS:
                found["tags"] = MarkdownTooComplex(
                    number,
                    f"the text holds more than {MAX_HTML_TAGS} HTML tags ('<' followed by a "
                    "letter). Pages are written in Markdown; remove the HTML.",
                )
    return sorted(found.values(), key=lambda problem: problem.line)


def check_limits(text: str) -> None:
    """Raise :class:`MarkdownTooComplex` for the first limit the text breaks."""
    problems = limit_problems(text)
    if problems:
        raise problems[0]


def validate_markdown(text: str) -> list[str]:
    """Error messages for a form field ("Line 3: ..."); empty when the text can be rendered."""
    return [str(problem) for problem in limit_problems(text)]


# --- rendering -----------------------------------------------------------------


@functools.lru_cache(maxsize=2048)  # pure: the same text always gives the same HTML
def _markdown(text: str) -> str:
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"permalink": False, "toc_depth": "2-3"}},
        output_format="html",
    )
    return md.convert(text)


@functools.lru_cache(maxsize=2048)
def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _care_cards(section_html: str, care_calls: dict[str, str] | None = None) -> str:
    """Wrap the three ``###`` blocks of "When to get help" in care cards.

    ``care_calls`` maps a card's level to a line of HTML with the numbers to call
    (trusted: built from Clinic details); it is added to a card that has no
    tap-to-call link of its own, so every card a patient acts on carries its number.
    """
    care_calls = care_calls or {}
    starts = [m.start() for m in _H3.finditer(section_html)]
    if len(starts) != len(CARE_LEVELS):
        return section_html
    head = section_html[: starts[0]]
    cards = []
    for i, (level, label) in enumerate(CARE_LEVELS):
        end = starts[i + 1] if i + 1 < len(starts) else len(section_html)
        card = section_html[starts[i] : end]
        call = care_calls.get(level, "")
        if call and 'href="tel:' not in card:
            card += f'<p class="care-card__call">{call}</p>'
        cards.append(
            f'<div class="care-card care-card--{level}">'
            f'<p class="care-card__level"><span class="care-card__icon" aria-hidden="true">'
            f"{'!' if level == 'emergency' else '☎' if level == 'today' else '✓'}</span>"
            f" {label}</p>{card}</div>"
        )
    return f'{head}<div class="care-cards">{"".join(cards)}</div>'


def _sections(clean_html: str, care_calls=None) -> tuple[str, list[dict]]:
    matches = list(_H2.finditer(clean_html))
    if not matches:
        return clean_html, []
    out = [clean_html[: matches[0].start()]]
    toc = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(clean_html)
        anchor = m.group(1)
        chunk = clean_html[m.start() : end]
        if anchor == HELP_SECTION_ID:
            chunk = _care_cards(chunk, care_calls)
        toc.append({"id": anchor, "title": plain(m.group(2))})
        out.append(
            f'<section class="page-section page-section--{anchor}" '
            f'aria-labelledby="{anchor}">{chunk}</section>'
        )
    return "".join(out), toc


@functools.lru_cache(maxsize=16)
def _term_pattern(words: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(html.escape(w)) for w in alternatives) + r")(?![\w-])"
        r"([.,;:!?)\u2019\u201d]*)",  # punctuation right after it stays on its line
        re.IGNORECASE,
    )


def link_glossary(clean_html: str, entries: list[GlossaryEntry], prefix: str = "g") -> str:
    """Turn the first use of each glossary term into an accessible popover."""
    if not entries:
        return clean_html
    by_word: dict[str, GlossaryEntry] = {}
    for entry in entries:
        for word in entry.words:
            if word.strip():
                by_word.setdefault(word.strip().lower(), entry)
    if not by_word:
        return clean_html
    pattern = _term_pattern(tuple(sorted(by_word)))
    used: set[str] = set()
    stack: list[str] = []
    parts = _TAG.split(clean_html)
    for i, part in enumerate(parts):
        if not part:
            continue
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if not name:
                continue
            tag = name.group(1).lower()
            if part.startswith("</"):
                if tag in stack:
                    while stack and stack.pop() != tag:
                        pass
            elif not part.endswith("/>") and tag not in {"br", "hr", "img"}:
                stack.append(tag)
            continue
        if any(t in _SKIP_INSIDE for t in stack):
            continue

        def replace(match: re.Match) -> str:
            entry = by_word.get(html.unescape(match.group(1)).lower())
            if entry is None or entry.slug in used:
                return match.group(0)
            used.add(entry.slug)
            pop_id = f"{prefix}-{entry.slug}"
            button = (
                f'<button type="button" class="gloss" popovertarget="{pop_id}">'
                f"{match.group(1)}</button>"
            )
            if match.group(2):
                button = f'<span class="gloss-word">{button}{match.group(2)}</span>'
            return (
                f"{button}"
                f'<span class="gloss-pop" id="{pop_id}" popover>'
                f"<strong>{html.escape(entry.words[0])}:</strong> {html.escape(entry.definition)} "
                f'<a href="{html.escape(entry.url)}">More in the glossary</a></span>'
            )

        parts[i] = pattern.sub(replace, part)
    return "".join(parts)


def render(
    text: str, glossary: list[GlossaryEntry] | None = None, care_calls: dict | None = None
) -> Rendered:
    """A page body as sectioned, sanitized HTML. Raises :class:`MarkdownTooComplex`."""
    check_limits(text)
    clean = sanitize(_markdown(text or ""))
    if glossary:
        clean = link_glossary(clean, glossary)
    structured, toc = _sections(clean, care_calls)
    return Rendered(html=structured, toc=toc)


def render_fragment(text: str) -> str:
    """Short Markdown (a definition, an FAQ answer) with no section structure.

    Raises :class:`MarkdownTooComplex` like :func:`render`.
    """
    check_limits(text)
    return sanitize(_markdown(text or ""))


# --- image references: editors write ![Alt text](images/KEY) ------------------

IMAGE_PREFIX = "images/"
_IMAGE_REF = re.compile(r"!\[([^\]]*)\]\(\s*(images/[^)\s]+)")


def image_key(src: str) -> str | None:
    if not src.startswith(IMAGE_PREFIX):
        return None
    name = src[len(IMAGE_PREFIX) :]
    if "/" in name or not name:
        return None
    return PurePosixPath(name).stem.lower()


def image_references(markdown_text: str) -> list[tuple[str, str, int]]:
    """``(key, alt, line)`` for each ``![alt](images/...)`` in Markdown text."""
    found = []
    for number, line in enumerate((markdown_text or "").splitlines(), start=1):
        for match in _IMAGE_REF.finditer(line):
            key = image_key(match.group(2))
            if key:
                found.append((key, match.group(1).strip(), number))
    return found
