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

from django.template.loader import render_to_string

from core.markdown import image_key as key_of
from core.markdown import image_references as references  # noqa: F401 (used by callers)

from .models import Figure

_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def embed_figures(clean_html: str) -> str:
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
