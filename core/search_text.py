"""The words a patient reads on a page, from the HTML made on save (for search)."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
# Added by core.markdown after sanitizing: glossary pop-ups (a definition that is
# not part of the page's own text) and decorative icons.
_NOT_TEXT = re.compile(
    r'<span class="gloss-pop"[^>]*>.*?</span>|<span[^>]*aria-hidden="true"[^>]*>.*?</span>',
    re.DOTALL,
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")
_SPACE_AFTER_BRACKET = re.compile(r"\(\s+")


def plain_text(rendered_html: str) -> str:
    without = _NOT_TEXT.sub(" ", rendered_html or "")
    words = " ".join(html.unescape(_TAG.sub(" ", without)).split())
    return _SPACE_AFTER_BRACKET.sub("(", _SPACE_BEFORE_PUNCTUATION.sub(r"\1", words))
