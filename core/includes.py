"""Clinic facts and shared blocks, written by name in any page's Markdown.

Staff never type a phone number or a safety rule into a page. They write names:

- ``{{ phone }}``, ``{{ after_hours }}``, ``{{ emergency }}``, ``{{ ambulance }}``,
  ``{{ crisis_line }}``: the clinic's numbers from Clinic details, rendered as
  tap-to-call links; ``{{ clinic_name }}``: the clinic's name, as plain text.
- ``{{ include blood-thinners }}`` on a line of its own: the published shared block
  (a safety rule written once) with that name.

:func:`expand` turns the names into Markdown before the page is rendered (once, on
save); pages are rendered again when a number or a block changes, so every page
always shows the current values. :func:`text_problems` is the check the admin and
the loader share: unknown names, blocks that do not exist, a literal phone number,
and a page stating a shared rule in its own words instead of including its block.

The values come from the apps that own them, through the registry
(``registry.set_fact_source`` / ``set_block_source``); this module imports none of them.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field

FACT_NAMES = ("clinic_name", "phone", "after_hours", "emergency", "ambulance", "crisis_line")
FACT_HELP = ", ".join(f"{{{{ {name} }}}}" for name in FACT_NAMES)

_BRACES = re.compile(r"\{\{(.*?)\}\}")
_FACT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_INCLUDE = re.compile(r"^[ \t]*\{\{\s*include\s+([a-z0-9][a-z0-9-]*)\s*\}\}[ \t]*$", re.MULTILINE)
_INCLUDE_ANYWHERE = re.compile(r"\{\{\s*include\b")
_START, _END = "\x02", "\x03"  # around an included block while lists are joined
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)]) ")

# A phone number typed into the text: 7 or more digits written with the separators
# people use ("555-0100", "(555) 010 0100", "+91 40 1234 5678"), or a short number
# after "call", "dial", "text" or "phone" ("call 911", "dial 112"). Dates (2026-11-01)
# and plain counts ("1,000") are not phone numbers.
_LONG_NUMBER = re.compile(r"(?<![\w/.-])\+?\(?\d[\d\s().-]{5,}\d(?![\w/-])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHORT_NUMBER = re.compile(
    r"\b(?:call|calling|dial|dialing|dialling|text|texting|phone|ring)\s+(?:us\s+)?(?:on\s+|at\s+)?"
    r"(\+?\d[\d -]{1,5}\d)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    label: str  # as shown: "555-0100", "Example Pain Clinic"
    tel: str = ""  # for the tel: link ("5550100"); empty for plain text

    def markdown(self) -> str:
        label = re.sub(r"([\\`*_\[\]<>])", r"\\\1", self.label)
        return f"[{label}](tel:{self.tel})" if self.tel else label


@dataclass(frozen=True)
class Block:
    slug: str
    title: str
    text: str  # Markdown
    watch_phrases: tuple[str, ...] = ()
    sources: tuple[dict, ...] = field(default=())


def call_link(fact: Fact) -> str:
    """A fact as trusted HTML: a tap-to-call link (or its escaped label)."""
    label = html.escape(fact.label)
    return f'<a href="tel:{html.escape(fact.tel)}">{label}</a>' if fact.tel else label


def care_calls(facts: dict[str, Fact]) -> dict[str, str]:
    """The numbers each care card of "When to get help" carries, as HTML."""
    calls = {}
    if "emergency" in facts:
        calls["emergency"] = f"Call {call_link(facts['emergency'])} now."
    if "phone" in facts:
        today = f"Call us on {call_link(facts['phone'])}."
        if "after_hours" in facts:
            today += f" When the clinic is closed, call {call_link(facts['after_hours'])}."
        calls["today"] = today
    return calls


def lines_with(pattern: re.Pattern, text: str):
    for number, line in enumerate(text.split("\n"), start=1):
        for match in pattern.finditer(line):
            yield number, match


def included(text: str) -> list[str]:
    """The block names a text includes, in order, each once."""
    seen: list[str] = []
    for slug in _INCLUDE.findall(text or ""):
        if slug not in seen:
            seen.append(slug)
    return seen


def own_text(text: str) -> str:
    """The text without its include lines (what the page says in its own words)."""
    return _INCLUDE.sub("", text or "")


def expand(text: str, facts: dict[str, Fact], blocks: dict[str, Block]) -> str:
    """Markdown with every include and fact name replaced; unknown names are left as written
    (the checks refuse them before a page can be saved)."""

    def block(match: re.Match) -> str:
        found = blocks.get(match.group(1))
        return f"{_START}{found.text.strip()}{_END}" if found else match.group(0)

    def fact(match: re.Match) -> str:
        found = facts.get(match.group(1))
        return found.markdown() if found else match.group(0)

    text = _INCLUDE.sub(block, text or "")
    # A block's list and the page's own list items next to it make one list (a blank
    # line between them would make Markdown wrap every item in a paragraph).
    text = _join_lists(text)
    return _FACT.sub(fact, text.replace(_START, "").replace(_END, ""))


def _join_lists(text: str) -> str:
    """Drop the blank lines between a list item and an included block's list (or the
    other way round), so they render as one list rather than a "loose" one."""
    lines = text.split("\n")
    keep = []
    for index, line in enumerate(lines):
        if not line.strip() and keep:
            before = keep[-1]
            after = next((later for later in lines[index + 1 :] if later.strip()), "")
            boundary = before.endswith(_END) or after.startswith(_START)
            if (
                boundary
                and _LIST_ITEM.match(before.lstrip(_START))
                and _LIST_ITEM.match(after.lstrip(_START))
            ):
                continue
        keep.append(line)
    return "\n".join(keep)


def expand_plain(text: str, facts: dict[str, Fact]) -> str:
    """Short one-line text (clinic details) with fact names replaced by their labels."""
    return _FACT.sub(lambda m: facts[m.group(1)].label if m.group(1) in facts else m.group(0), text)


@functools.lru_cache(maxsize=512)
def phrase_pattern(phrase: str) -> re.Pattern:
    """A watch phrase as a pattern: whole words, any case; "..." stands for up to eight
    words in between (within one sentence)."""
    parts = [part.strip() for part in phrase.split("...") if part.strip()]
    words = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    gap = r"\b[^.!?\n]{0,60}?\b"
    return re.compile(r"(?<![\w-])" + gap.join(words) + r"(?![\w-])", re.IGNORECASE)


def literal_numbers(text: str) -> list[tuple[int, str]]:
    """``(line, number)`` for each phone or emergency number typed into the text."""
    found = []
    for number, match in lines_with(_LONG_NUMBER, text):
        value = match.group(0).strip()
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7 and not _ISO_DATE.match(value) and not re.fullmatch(r"[\d,.]+", value):
            found.append((number, value))
    for number, match in lines_with(_SHORT_NUMBER, text):
        found.append((number, match.group(1)))
    return sorted(set(found))


def text_problems(
    text: str, blocks: dict[str, Block], *, may_include: bool = True
) -> list[tuple[int, str]]:
    """``(line, message)`` for everything wrong with facts and includes in a text."""
    text = text or ""
    problems: list[tuple[int, str]] = []
    for number, match in lines_with(_BRACES, text):
        inner = match.group(1).strip()
        name = inner.split()[0] if inner.split() else ""
        if name == "include":
            continue  # checked below, with the whole line
        if name not in FACT_NAMES or inner != name:
            problems.append(
                (number, f"“{match.group(0)}” is not a clinic fact. Use one of: {FACT_HELP}; "
                         "or {{ include block-name }} on a line of its own.")
            )  # fmt: skip
    include_lines = {n for n, _ in lines_with(_INCLUDE, text)}
    for number, _match in lines_with(_INCLUDE_ANYWHERE, text):
        if not may_include:
            problems.append((number, "A shared block cannot include another block."))
        elif number not in include_lines:
            problems.append(
                (number, "Put “{{ include block-name }}” on a line of its own, with nothing "
                         "else on that line.")
            )  # fmt: skip
    if may_include:
        for number, match in lines_with(_INCLUDE, text):
            if match.group(1) not in blocks:
                problems.append(
                    (number, f"There is no published shared block named “{match.group(1)}”. "
                             "Check the name in Shared blocks.")
                )  # fmt: skip
    for number, value in literal_numbers(text):
        problems.append(
            (number, f"“{value}” looks like a phone number typed into the text. Write the "
                     f"clinic fact's name instead, e.g. {{{{ phone }}}} or {{{{ emergency }}}}, "
                     "so the page always shows the number in Clinic details.")
        )  # fmt: skip
    own = own_text(text)
    for block in blocks.values():
        for phrase in block.watch_phrases:
            hit = next(lines_with(phrase_pattern(phrase), own), None)
            if hit:
                number, match = hit
                problems.append(
                    (number, f"“{match.group(0)}” states a rule from the shared block "
                             f"“{block.title}”. Include the block instead, on a line of its "
                             f"own: {{{{ include {block.slug} }}}}")
                )  # fmt: skip
                break
    return sorted(problems)
