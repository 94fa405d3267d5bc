"""Sources a page cites: publisher, title, year and a link a patient can follow.

In the admin a source is one line::

    NHS: Steroid injections (2023) https://www.nhs.uk/conditions/steroid-injections/

and in content files a mapping with the keys ``organization``, ``title``, ``year`` and
``url``. :func:`parse` reads a line, :func:`line` writes one, :func:`problems` says what
is wrong with one in words staff understand; the admin, the loader and the page use
these three, so a source is checked the same way everywhere.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

SOURCE_KEYS = ("organization", "title", "year", "url")
FORMAT_HELP = "Publisher: Title (year) https://link"
FIRST_YEAR = 1900
MAX_ORGANIZATION = 150
MAX_TITLE = 300
MAX_URL = 500

_LINE = re.compile(
    r"^(?P<organization>[^:]+):\s*(?P<title>.+?)\s+\((?P<year>\d{4})\)\s+(?P<url>\S+)$"
)


def parse(text: str) -> dict | None:
    """A source line as a dict with the four keys, or None if it is not in the format."""
    match = _LINE.match((text or "").strip())
    if not match:
        return None
    source = {key: match.group(key).strip() for key in SOURCE_KEYS}
    source["year"] = int(source["year"])
    return source


def line(source: dict) -> str:
    return f"{source['organization']}: {source['title']} ({source['year']}) {source['url']}"


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or " " in url:
        return f"“{url[:60]}” is not a web address starting with https://"
    if len(url) > MAX_URL:
        return f"the link is {len(url)} characters long; at most {MAX_URL}"
    return None


def problems(source: dict) -> list[str]:
    """What is wrong with one source (already split into its four parts)."""
    found = []
    organization, title = str(source.get("organization", "")), str(source.get("title", ""))
    if not organization.strip() or ":" in organization or len(organization) > MAX_ORGANIZATION:
        found.append(
            f"the publisher must be given, without ':' and at most {MAX_ORGANIZATION} characters"
        )
    if not title.strip() or "\n" in title or len(title) > MAX_TITLE:
        found.append(f"the title must be given, on one line, at most {MAX_TITLE} characters")
    year = source.get("year")
    this_year = datetime.date.today().year
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= this_year:
        found.append(f"the year must be a year from {FIRST_YEAR} to {this_year}")
    url_error = url_problem(str(source.get("url", "")))
    if url_error:
        found.append(url_error)
    return found


def line_problems(text: str) -> list[str]:
    """Messages for each source line of an admin field that is wrong."""
    out = []
    for item in (text or "").splitlines():
        item = item.strip()
        if not item:
            continue
        source = parse(item)
        if source is None:
            out.append(f"“{item[:60]}”: write each source on one line as '{FORMAT_HELP}'.")
            continue
        out.extend(f"“{item[:60]}”: {message}." for message in problems(source))
    return out


def parse_lines(text: str) -> list[dict]:
    """Every well-formed source of a field (a line that is not is left out)."""
    return [source for item in (text or "").splitlines() if (source := parse(item))]
