"""Showing figures in page text.

Editors write ``![Alt text](images/KEY)`` (or ``images/KEY.jpg``, the file name
under ``content/images/``). After sanitizing, each such ``<img>`` is replaced by
``templates/includes/figure.html``: a ``<picture>`` with WebP and JPEG/PNG
``srcset``, ``width``/``height`` and ``loading="lazy"``. An image alone in a
paragraph becomes a ``<figure>`` with its caption and credit.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath

from django.template.loader import render_to_string

PREFIX = "images/"
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
_REF = re.compile(r"!\[([^\]]*)\]\(\s*(images/[^)\s]+)")


def key_of(src: str) -> str | None:
    if not src.startswith(PREFIX):
        return None
    name = src[len(PREFIX) :]
    if "/" in name or not name:
        return None
    return PurePosixPath(name).stem.lower()


def references(markdown_text: str) -> list[tuple[str, str, int]]:
    """``(key, alt, line)`` for each ``![alt](images/...)`` in Markdown text."""
    found = []
    for number, line in enumerate((markdown_text or "").splitlines(), start=1):
        for match in _REF.finditer(line):
            key = key_of(match.group(2))
            if key:
                found.append((key, match.group(1).strip(), number))
    return found


def embed_figures(clean_html: str) -> str:
    from .models import Figure

    tags = [(m, dict(_ATTR.findall(m.group(0)))) for m in _IMG.finditer(clean_html)]
    keys = {key_of(html.unescape(attrs.get("src", ""))) for _, attrs in tags} - {None}
    if not keys:
        return clean_html
    figures = {f.key: f for f in Figure.objects.filter(key__in=keys)}
    out, position = [], 0
    for match, attrs in tags:
        figure = figures.get(key_of(html.unescape(attrs.get("src", ""))))
        if figure is None:
            continue
        start, end = match.start(), match.end()
        alone = (
            clean_html[max(0, start - 3) : start] == "<p>" and clean_html[end : end + 4] == "</p>"
        )
        if alone:
            start, end = start - 3, end + 4
        out.append(clean_html[position:start])
        out.append(
            render_to_string(
                "includes/figure.html",
                {
                    "figure": figure,
                    "alt": figure.alt_text or ("" if figure.decorative else attrs.get("alt", "")),
                    "as_figure": alone,
                },
            ).strip()
        )
        position = end
    out.append(clean_html[position:])
    return "".join(out)


def rerender_pages_using(key: str) -> None:
    """A figure changed: pages that show it render again (alt text and sizes stay right)."""
    from procedures.models import Condition, Procedure

    for model in (Procedure, Condition):
        for page in model.objects.filter(body__contains=f"{PREFIX}{key}"):
            page.render()
            page.save(update_fields=["body_html", "toc", "reading_grade", "reading_worst"])
