"""What every kind of content file shares: problems reported as ``path:line: message``,
the value checks, the load report and the limits. Used by the page, image and
synonym loaders alike."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core import sources as core_sources

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1_000_000


class Invalid(Exception):
    """A field value is wrong; the message says how, in words a staff member understands."""


# --- field validators -------------------------------------------------------


def text(max_length: int | None = None) -> Callable:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Invalid("must be text")
        value = str(value).strip()
        if not value:
            raise Invalid("must not be empty")
        if "\x00" in value:
            raise Invalid("must not contain NUL characters")
        if max_length and len(value) > max_length:
            raise Invalid(f"is {len(value)} characters long; at most {max_length}")
        return value

    return check


def slug(value):
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise Invalid("must be lower-case letters, digits and hyphens, e.g. 'nerve-root-block'")
    return value


def choice(choices) -> Callable:
    allowed = [c for c, _ in choices]

    def check(value):
        if value not in allowed:
            raise Invalid(f"must be one of: {', '.join(allowed)}")
        return value

    return check


def integer(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise Invalid("must be a whole number from 0 to 1000000")
    return value


def date(value):
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise Invalid("must be a date written as YYYY-MM-DD")
    return value


def string_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid("must be a list")
    out = []
    for item in value:
        item = text(200)(item)
        if "\n" in item:
            raise Invalid("items must be on one line each")
        if item not in out:
            out.append(item)
    return out


def slug_list(value):
    return sorted({slug(item) for item in string_list(value)})


def sources(value):
    """A list of sources, each with ``organization``, ``title``, ``year`` and ``url``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("must be a list of sources, each with organization, title, year and url")
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != set(core_sources.SOURCE_KEYS):
            raise Invalid(
                f"source {number} needs exactly these keys: " + ", ".join(core_sources.SOURCE_KEYS)
            )
        source = {key: item[key] for key in core_sources.SOURCE_KEYS}
        for key in ("organization", "title", "url"):
            if not isinstance(source[key], str):
                raise Invalid(f"source {number}: '{key}' must be text")
            source[key] = source[key].strip()
        problems = core_sources.problems(source)
        if problems:
            raise Invalid(f"source {number}: {problems[0]}")
        out.append(source)
    return out


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Report:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    dry_run: bool = False

    def add(self, kind: str, outcome: str):
        self.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0})
        self.counts[kind][outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def summary(self) -> str:
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        verbs = ("created", "updated", "unchanged", "skipped")
        parts = [f"{self.total(v)} {v}" for v in verbs]
        return f"{prefix}{', '.join(parts)}."


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def shown_path(root: Path, path: Path) -> str:
    """How a file is named in messages: relative to the content folder's parent."""
    root = Path(root)
    return str(path.relative_to(root.parent) if root.parent in path.parents else path)
