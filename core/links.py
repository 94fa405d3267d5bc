"""Page addresses worked out once, not with ``reverse()`` for every row of every list.

``slug_url("procedures:detail", slug)`` reverses the view once per URL configuration
(with a placeholder slug) and fills in each slug by plain string substitution, which
gives exactly what ``reverse(view, kwargs={"slug": slug})`` gives for any valid slug.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri

_PLACEHOLDER = "slug-placeholder-0x5f3759df"
_patterns: dict[tuple, tuple[str, str]] = {}


def slug_url(view_name: str, slug: str) -> str:
    key = (view_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    parts = _patterns.get(key)
    if parts is None:
        before, _, after = reverse(view_name, kwargs={"slug": _PLACEHOLDER}).partition(_PLACEHOLDER)
        parts = _patterns[key] = (before, after)
    return f"{parts[0]}{iri_to_uri(slug)}{parts[1]}"


def view_url(view_name: str) -> str:
    """``reverse(view_name)`` for a view without arguments, worked out once."""
    key = (view_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    parts = _patterns.get(key)
    if parts is None:
        parts = _patterns[key] = (reverse(view_name), "")
    return parts[0]
