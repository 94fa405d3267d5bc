"""Helpers shared by the security tests: production's own security settings, an HTML
inspector that finds anything a strict CSP would block or an attacker could use, and a
form scraper that submits an admin form the way a browser would."""

from __future__ import annotations

import html
import importlib
import os
import re
import sys
from html.parser import HTMLParser
from unittest import mock

SECURITY_SETTING = re.compile(r"^(SECURE_|SESSION_COOKIE_|CSRF_COOKIE_|X_FRAME_|TRUSTED_PROXY)")
THROWAWAY_KEY = "x" * 10 + "production-like-test-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def production_security_settings() -> dict:
    """The transport and cookie settings exactly as painsite.settings.production sets them."""
    env = {
        "SECRET_KEY": THROWAWAY_KEY,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://www.example.org",
        "PAINSITE_ENV_FILE": "",
    }
    with mock.patch.dict(os.environ, env):
        for name in ("SECURE_SSL_REDIRECT", "TRUSTED_PROXIES", "PAINSITE_REQUIRE_2FA"):
            os.environ.pop(name, None)
        sys.modules.pop("painsite.settings.production", None)
        module = importlib.import_module("painsite.settings.production")
        sys.modules.pop("painsite.settings.production", None)
    return {name: getattr(module, name) for name in dir(module) if SECURITY_SETTING.match(name)}


SAFE_TEXT = {"alt", "title", "content", "aria-label", "value", "id"}  # escaped text, slugs
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
BAD_SCHEMES = re.compile(r"^(javascript|vbscript|data|livescript|file):", re.IGNORECASE)


def _normalize_url(value: str) -> str:
    """As a browser reads it: entities decoded, outer blanks trimmed, tabs and newlines dropped."""
    value = html.unescape(value).strip("".join(map(chr, range(33))))
    return re.sub(r"[\t\n\r]", "", value).lower()


class _Inspector(HTMLParser):
    def __init__(self, marker):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.marker = marker.lower() if marker else None

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        for name, value in attrs:
            if self.marker and self.marker in (value or "").lower() and name not in SAFE_TEXT:
                self.problems.append(f"<{tag} {name}={value!r}> carries the hostile input")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            if name in URL_ATTRIBUTES and value and BAD_SCHEMES.match(_normalize_url(value)):
                self.problems.append(f"<{tag} {name}={value!r}> dangerous URL")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            kind = dict(attrs).get("type", "")
            if "src" not in names and kind != "application/ld+json":
                self.problems.append("inline <script>")
            if re.match(r"^([a-z]+:|//)", _normalize_url(dict(attrs).get("src") or "")):
                self.problems.append("<script> from another site")
        if tag in ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"):
            self.problems.append(f"<{tag}> element")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def unsafe_html(page: str, marker: str | None = None) -> list[str]:
    """Everything in a page that a strict CSP blocks or that could run script.

    With ``marker``, also any attribute (other than harmless text ones) that carries it.
    """
    inspector = _Inspector(marker)
    inspector.feed(page)
    inspector.close()
    return inspector.problems


class _FormScraper(HTMLParser):
    """The fields of one <form> as a browser would submit them (no JavaScript)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.textarea = None
        self.select = None
        self.select_multiple = False
        self.select_chosen: list[str] = []
        self.select_first = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._add(name, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self.select = name
            self.select_multiple = "multiple" in attrs
            self.select_chosen, self.select_first = [], None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.select_chosen.append(value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = self.select_chosen
            if not chosen and not self.select_multiple and self.select_first is not None:
                chosen = [self.select_first]
            for value in chosen:
                self._add(self.select, value)
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def form_data(page: str, form_id: str) -> dict[str, list[str] | str]:
    scraper = _FormScraper(form_id)
    scraper.feed(page)
    scraper.close()
    out = {}
    for name, values in scraper.data.items():
        if len(values) == 1:
            value = values[0]
            # Browsers drop the one newline that follows <textarea>.
            out[name] = value[1:] if value.startswith("\n") else value
        else:
            out[name] = values
    return out
