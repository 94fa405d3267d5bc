"""Glossary pop-ups once per page, however many fragments on it use a term.

Each FAQ answer is rendered on its own (``faq.models``, prefix ``g-<slug>``), so a
page of answers would repeat a term's definition once per answer that uses it.
``share()`` takes a page's fragments, keeps one copy of each distinct pop-up,
points every button at that copy and returns the copies to be written once on
the page, outside any collapsed ``<details>`` (a pop-up opens in the top layer
wherever it sits in the document, and keyboard focus still moves into it from
its button).
"""

from __future__ import annotations

import re

_POPOVER = re.compile(r'<span class="gloss-pop" id="([^"]+)" popover>(.*?)</span>', re.S)
_TARGET = re.compile(r'popovertarget="([^"]+)"')


def share(fragments: list[str]) -> tuple[list[str], list[str]]:
    """(the fragments without their pop-ups, each distinct pop-up once)."""
    first_id: dict[str, str] = {}  # definition HTML -> the id kept for it
    renamed: dict[str, str] = {}  # every pop-up id -> the id kept for its definition
    kept: list[str] = []

    def take(match: re.Match) -> str:
        pop_id, inner = match.group(1), match.group(2)
        if inner not in first_id:
            first_id[inner] = pop_id
            kept.append(match.group(0))
        renamed[pop_id] = first_id[inner]
        return ""

    stripped = [_POPOVER.sub(take, fragment) for fragment in fragments]
    out = [
        _TARGET.sub(lambda m: f'popovertarget="{renamed.get(m.group(1), m.group(1))}"', text)
        for text in stripped
    ]
    return out, kept


def share_in_place(fragments: list[str]) -> list[str]:
    """The fragments with each distinct pop-up kept where it first appears, and every
    later button pointed at it (for pages where nothing is folded away)."""
    first_id: dict[str, str] = {}
    renamed: dict[str, str] = {}

    def take(match: re.Match) -> str:
        pop_id, inner = match.group(1), match.group(2)
        if inner not in first_id:
            first_id[inner] = pop_id
            renamed[pop_id] = pop_id
            return match.group(0)
        renamed[pop_id] = first_id[inner]
        return ""

    stripped = [_POPOVER.sub(take, fragment) for fragment in fragments]
    return [
        _TARGET.sub(lambda m: f'popovertarget="{renamed.get(m.group(1), m.group(1))}"', text)
        for text in stripped
    ]
