"""Lists in pages of a fixed size, in one query (no COUNT).

``page_of(request, queryset, size)`` reads ``?page=N`` (1 when absent), fetches that
page's rows plus one to know whether another page follows, and raises ``Http404``
for a page that is not a positive number or lies past the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

MAX_PAGE = 999_999  # the page cache keeps ?page=N up to six digits


@dataclass
class Page:
    rows: list
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def is_paginated(self) -> bool:
        return self.has_previous or self.has_next


def page_of(request, queryset, size: int) -> Page:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("No such page.")
    number = int(raw)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    if number > 1 and not rows:
        raise Http404("No such page.")
    return Page(rows=rows[:size], number=number, has_previous=number > 1, has_next=len(rows) > size)
