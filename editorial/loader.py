"""Content files ⇄ database.

``load(path)`` reads every Markdown file under ``path`` (see ``content/README.md``),
validates all of them, and only when nothing is wrong writes them in one
transaction, upserting by slug. ``export(path)`` writes the database back in the
same canonical format, so that load followed by export reproduces the files
byte for byte.

Files and admin edits must not fight: each record keeps ``source_hash``, the
fingerprint of its canonical text when it was last loaded. If the record's
current text no longer matches that fingerprint, a staff member has changed it
in the admin since; the load skips it and says so, unless ``force`` is given.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from editorial import figures_loader
from faq.models import FAQ, Topic
from glossary import signals as glossary_signals
from glossary.models import GlossaryTerm
from painsite import markdown
from painsite.history import LOADER
from painsite.pages import DEFAULT_REVIEWER, Status, lines, one_year_after
from painsite.readability import heading
from procedures.models import Area, Condition, Kind, Procedure
from search import index as search_index
from search import seed as synonym_seed

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# "key:" at the start of a front-matter line. Greedy up to the first ':' (the key's
# trailing spaces are stripped after): a lazy key followed by \s* backtracks
# quadratically on a long line of spaces.
_KEY_LINE = re.compile(r"([^\s:#-][^:]*):(\s|$)")
MAX_FILE_BYTES = 1_000_000

PROCEDURE_SECTIONS = [
    "At a glance",
    "What it is",
    "Who it may help",
    "Benefits, risks and alternatives",
    "How to prepare",
    "What happens during the procedure",
    "After the procedure",
    "Results and next steps",
    "When to get help",
    "Questions to ask your doctor",
]
CARE_HEADINGS = 3


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
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("must be a list of 'organization:' and 'title:' pairs")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"organization", "title"}:
            raise Invalid("each source needs exactly 'organization:' and 'title:'")
        organization = text(150)(item["organization"])
        if ":" in organization or "\n" in organization:
            raise Invalid("an organization name must not contain ':' or line breaks")
        title = text(300)(item["title"])
        if "\n" in title:
            raise Invalid("a source title must be on one line")
        out.append({"organization": organization, "title": title})
    return out


# --- what each kind of file holds --------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    check: Callable
    required: bool = False
    default: object = None


COMMON_ARTICLE = {
    "title": FieldSpec(text(150), True),
    "slug": FieldSpec(slug, True),
    "status": FieldSpec(choice(Status.choices), default=Status.PUBLISHED.value),
    "order": FieldSpec(integer, default=100),
    "also_called": FieldSpec(string_list, default=[]),
    "summary": FieldSpec(text(200), True),
}
REVIEW = {
    "reviewed_on": FieldSpec(date),
    "reviewed_by": FieldSpec(text(120), default=DEFAULT_REVIEWER),
    "next_review_due": FieldSpec(date),
}


@dataclass(frozen=True)
class Kind_:
    name: str
    folder: str
    model: type
    fields: dict[str, FieldSpec]
    body_field: str
    relations: dict[str, str] = field(default_factory=dict)  # front-matter key -> kind name


KINDS: dict[str, Kind_] = {
    "glossary": Kind_(
        "glossary",
        "glossary",
        GlossaryTerm,
        {
            "term": FieldSpec(text(120), True),
            "slug": FieldSpec(slug, True),
            "status": FieldSpec(choice(Status.choices), default=Status.PUBLISHED.value),
            "also_called": FieldSpec(string_list, default=[]),
        },
        "definition",
    ),
    "condition": Kind_(
        "condition",
        "conditions",
        Condition,
        {
            **COMMON_ARTICLE,
            "areas": FieldSpec(slug_list, default=[]),
            "sources": FieldSpec(sources, default=[]),
            **REVIEW,
        },
        "body",
        {"areas": "area"},
    ),
    "procedure": Kind_(
        "procedure",
        "procedures",
        Procedure,
        {
            **COMMON_ARTICLE,
            "main_message": FieldSpec(text(300), True),
            "kind": FieldSpec(choice(Kind.choices), True),
            "used_for": FieldSpec(text(300), True),
            "duration": FieldSpec(text(200), True),
            "sedation": FieldSpec(text(200), True),
            "driver": FieldSpec(text(200), True),
            "relief_starts": FieldSpec(text(200), True),
            "relief_lasts": FieldSpec(text(200), True),
            "areas": FieldSpec(slug_list, default=[]),
            "conditions": FieldSpec(slug_list, default=[]),
            "related": FieldSpec(slug_list, default=[]),
            "sources": FieldSpec(sources, True),
            **REVIEW,
        },
        "body",
        {"areas": "area", "conditions": "condition", "related": "procedure"},
    ),
    "faq": Kind_(
        "faq",
        "faq",
        FAQ,
        {
            "question": FieldSpec(text(250), True),
            "slug": FieldSpec(slug, True),
            "topic": FieldSpec(choice(Topic.choices), True),
            "status": FieldSpec(choice(Status.choices), default=Status.PUBLISHED.value),
            "order": FieldSpec(integer, default=100),
            "procedures": FieldSpec(slug_list, default=[]),
        },
        "answer",
        {"procedures": "procedure"},
    ),
}
LIST_FIELDS = {"also_called"}  # stored one per line in a TextField
SOURCE_FIELDS = {"sources"}


# --- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Record:
    kind: Kind_
    path: Path
    data: dict
    body: str
    key_lines: dict[str, int]
    shown: str
    front_lines: list[str] = field(default_factory=list)

    def item_line(self, key: str, value: str) -> int:
        """The line of ``- value`` under ``key:`` (or the key's line)."""
        start = self.key_lines.get(key, 1)
        for number in range(start, len(self.front_lines) + 1):
            line = self.front_lines[number - 1].strip()
            if line.lstrip("- ").strip().strip("'\"") == value and line.startswith("-"):
                return number
        return start

    @property
    def slug(self) -> str:
        return self.data["slug"]

    def text(self) -> str:
        return dump(self.kind, self.data, self.body)


def _line_of_byte(raw: bytes, index: int) -> int:
    return raw[:index].count(b"\n") + 1


def parse_file(kind: Kind_, path: Path, shown: str) -> tuple[Record | None, list[Problem]]:
    problems: list[Problem] = []

    def fail(line, message):
        problems.append(Problem(shown, line, message))
        return None, problems

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return fail(1, f"cannot read the file ({exc.strerror})")
    if len(raw) > MAX_FILE_BYTES:
        return fail(1, f"the file is {len(raw)} bytes; at most {MAX_FILE_BYTES}")
    if not raw.strip():
        return fail(1, "the file is empty")
    if b"\x00" in raw:
        return fail(_line_of_byte(raw, raw.index(b"\x00")), "binary data: this is not a text file")
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return fail(
            _line_of_byte(raw, exc.start),
            f"bytes that are not UTF-8 (at byte {exc.start}): save the file as UTF-8",
        )
    content = content.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    all_lines = content.split("\n")
    if all_lines[0].strip() != "---":
        return fail(1, "the file must start with a '---' line, then the front matter")
    closing = next((i for i in range(1, len(all_lines)) if all_lines[i].strip() == "---"), None)
    if closing is None:
        return fail(1, "the front matter is not closed by a second '---' line")

    key_lines: dict[str, int] = {}
    for number, line in enumerate(all_lines[1:closing], start=2):
        match = _KEY_LINE.match(line)
        if match:
            key = match.group(1).rstrip()
            if key in key_lines:
                problems.append(
                    Problem(
                        shown, number, f"'{key}' is given twice (also on line {key_lines[key]})"
                    )
                )
            key_lines.setdefault(key, number)
    try:
        meta = yaml.safe_load("\n".join(all_lines[1:closing]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or "the YAML could not be read"
        return fail(line, f"invalid YAML: {reason}")
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        return fail(2, f"invalid value in the front matter: {exc}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return fail(2, "the front matter must be 'key: value' lines")

    data: dict = {}
    for key in meta:
        if key not in kind.fields:
            known = ", ".join(kind.fields)
            problems.append(
                Problem(
                    shown, key_lines.get(str(key), 2), f"unknown field '{key}' (known: {known})"
                )
            )
    for name, spec in kind.fields.items():
        line = key_lines.get(name, 1)
        if name not in meta or meta[name] is None:
            if spec.required:
                problems.append(Problem(shown, 1, f"missing required field '{name}'"))
            else:
                data[name] = list(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        try:
            data[name] = spec.check(meta[name])
        except Invalid as exc:
            problems.append(Problem(shown, line, f"'{name}' {exc}"))

    raw_body = "\n".join(all_lines[closing + 1 :])
    body = raw_body.strip()
    # The line the (stripped) body starts on: after '---' and any blank lines.
    body_start = closing + 2 + raw_body[: len(raw_body) - len(raw_body.lstrip())].count("\n")
    if not body:
        problems.append(Problem(shown, body_start, f"the {kind.body_field} (after '---') is empty"))
    if "\x00" in body:
        problems.append(Problem(shown, body_start, "NUL characters in the text"))
    problems.extend(check_markdown(body, body_start, shown))

    if "reviewed_on" in kind.fields and data.get("reviewed_on") and not data.get("next_review_due"):
        data["next_review_due"] = one_year_after(data["reviewed_on"])
    if kind.name == "procedure" and body:
        problems.extend(check_sections(body, body_start, shown))
    if problems:
        return None, problems
    return Record(kind, path, data, body, key_lines, shown, all_lines[:closing]), []


def check_markdown(body: str, first_line: int, shown: str) -> list[Problem]:
    """Text the renderer refuses (too long, nested too deeply, ...), at its line in the file."""
    return [
        Problem(shown, first_line + problem.line - 1, problem.message)
        for problem in markdown.limit_problems(body)
    ]


def _headings(body: str, first_line: int):
    fenced = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        found = heading(line)
        if found:
            yield found[0], found[1].strip(), first_line + offset


def check_sections(body: str, first_line: int, shown: str) -> list[Problem]:
    problems = []
    found = [(text_, line) for level, text_, line in _headings(body, first_line) if level == 2]
    position = 0
    for required in PROCEDURE_SECTIONS:
        index = next(
            (
                i
                for i in range(position, len(found))
                if found[i][0].lower().startswith(required.lower())
            ),
            None,
        )
        if index is None:
            where = found[position][1] if position < len(found) else first_line
            problems.append(
                Problem(
                    shown,
                    where,
                    f"missing section '## {required}' (sections must come in this order: "
                    + "; ".join(PROCEDURE_SECTIONS)
                    + ")",
                )
            )
            continue
        position = index + 1
    help_line = next(
        (line for text_, line in found if text_.lower().startswith("when to get help")), None
    )
    if help_line is not None:
        after = [(lvl, t, ln) for lvl, t, ln in _headings(body, first_line) if ln > help_line]
        count = 0
        for level, _, _ in after:
            if level == 2:
                break
            count += 1
        if count != CARE_HEADINGS:
            problems.append(
                Problem(
                    shown,
                    help_line,
                    f"'## When to get help' needs exactly {CARE_HEADINGS} '###' headings "
                    f"(emergency, call the clinic today, mention at follow-up); found {count}",
                )
            )
    return problems


# --- canonical text ------------------------------------------------------------


def dump(kind: Kind_, data: dict, body: str) -> str:
    ordered = {name: data.get(name) for name in kind.fields}
    ordered = {k: v for k, v in ordered.items() if v is not None}
    front = yaml.safe_dump(
        ordered, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False
    )
    return f"---\n{front}---\n\n{body.strip()}\n"


def digest(text_: str) -> str:
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def model_data(kind: Kind_, obj) -> dict:
    data = {}
    for name in kind.fields:
        if name in kind.relations:
            data[name] = sorted(related.slug for related in getattr(obj, name).all())
        elif name in LIST_FIELDS:
            data[name] = lines(getattr(obj, name))
        elif name in SOURCE_FIELDS:
            data[name] = obj.source_list
        else:
            value = getattr(obj, name)
            data[name] = None if value in ("", None) and name in REVIEW else value
    return data


def export_text(kind: Kind_, obj) -> str:
    return dump(kind, model_data(kind, obj), getattr(obj, kind.body_field))


def apply(kind: Kind_, obj, record: Record):
    for name, value in record.data.items():
        if name in kind.relations:
            continue
        if name in LIST_FIELDS:
            value = "\n".join(value)
        elif name in SOURCE_FIELDS:
            value = "\n".join(f"{s['organization']}: {s['title']}" for s in value)
        setattr(obj, name, value)
    setattr(obj, kind.body_field, record.body)


# --- the load ------------------------------------------------------------------


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


def read_all(root: Path) -> tuple[dict[str, list[Record]], list[Problem]]:
    root = Path(root)
    problems: list[Problem] = []
    records: dict[str, list[Record]] = {name: [] for name in KINDS}
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "no such folder")])
    found_any = False
    for kind in KINDS.values():
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        seen: dict[str, str] = {}
        for path in sorted(folder.glob("*.md")):
            found_any = True
            shown = str(path.relative_to(root.parent) if root.parent in path.parents else path)
            record, file_problems = parse_file(kind, path, shown)
            problems.extend(file_problems)
            if record is None:
                continue
            if record.slug in seen:
                problems.append(
                    Problem(
                        shown,
                        record.key_lines.get("slug", 1),
                        f"duplicate slug '{record.slug}' (also in {seen[record.slug]})",
                    )
                )
                continue
            seen[record.slug] = shown
            if record.slug != path.stem:
                problems.append(
                    Problem(
                        shown,
                        record.key_lines.get("slug", 1),
                        f"slug '{record.slug}' must match the file name '{path.name}'",
                    )
                )
                continue
            records[kind.name].append(record)
    if not found_any and not problems:
        problems.append(
            Problem(
                str(root), 1, "no content files found (expected procedures/, conditions/, faq/ …)"
            )
        )
    problems.extend(check_references(records))
    return records, problems


def check_references(records: dict[str, list[Record]]) -> list[Problem]:
    known = {
        "area": set(Area.objects.values_list("slug", flat=True)),
        "condition": set(Condition.objects.values_list("slug", flat=True)),
        "procedure": set(Procedure.objects.values_list("slug", flat=True)),
    }
    for name in ("condition", "procedure"):
        known[name] |= {r.slug for r in records[name]}
    problems = []
    for kind_records in records.values():
        for record in kind_records:
            for key, target in record.kind.relations.items():
                for ref in record.data.get(key) or []:
                    if ref not in known[target]:
                        problems.append(
                            Problem(
                                record.shown,
                                record.item_line(key, ref),
                                f"unknown {target} '{ref}' in '{key}'",
                            )
                        )
    return problems


def load(root, *, dry_run: bool = False, force: bool = False, user=None) -> Report:
    """Validate everything under ``root``; if all is well, write it in one transaction."""
    records, problems = read_all(Path(root))
    synonyms, synonym_problems = synonym_seed.read(Path(root))
    problems.extend(synonym_problems)
    images, image_problems = figures_loader.read(Path(root), records)
    problems.extend(image_problems)
    if problems:
        raise ContentError(problems)
    report = Report(dry_run=dry_run)
    with transaction.atomic(), search_index.suspended():
        glossary_signals.SUSPENDED["value"] = True
        try:
            figures_loader.write(images, report, dry_run)  # before the pages that show them
            written = _write(records, report, force)
            synonym_seed.write(synonyms, report, force)
            glossary = report.counts.get("glossary", {})
            if glossary.get("created") or glossary.get("updated"):
                # Term links on every page follow the glossary; pages written in this
                # load were already rendered after the glossary, so they are skipped.
                glossary_signals.rerender_pages(skip=written)
        finally:
            glossary_signals.SUSPENDED["value"] = False
        search_index.rebuild()  # the search index follows every load
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(records: dict[str, list[Record]], report: Report, force: bool) -> list:
    relations_to_set: list[tuple[Record, object]] = []
    for kind_name, kind in KINDS.items():
        existing = kind.model.objects.filter(slug__in=[r.slug for r in records[kind_name]])
        if kind.relations:
            existing = existing.prefetch_related(*kind.relations)
        by_slug = {o.slug: o for o in existing}
        for record in records[kind_name]:
            new_text = record.text()
            obj = by_slug.get(record.slug)
            if obj is None:
                obj = kind.model()
                outcome = "created"
            else:
                current = export_text(kind, obj)
                if current == new_text:
                    if obj.source_hash != digest(new_text):
                        obj.source_hash = digest(new_text)
                        obj.save(update_fields=["source_hash"])
                    report.add(kind_name, "unchanged")
                    continue
                if obj.source_hash != digest(current) and not force:
                    report.add(kind_name, "skipped")
                    report.skipped.append(
                        f"{record.path.name}: '{record.slug}' was changed in the admin since the "
                        "last load; kept the admin version (use --force to overwrite it)"
                    )
                    continue
                outcome = "updated"
            apply(kind, obj, record)
            obj.source_hash = digest(new_text)
            obj._change_reason = LOADER  # shown as "load_content" in the page's history
            obj.save()
            relations_to_set.append((record, obj))
            report.add(kind_name, outcome)
    models = {"area": Area, "condition": Condition, "procedure": Procedure}
    for record, obj in relations_to_set:
        for key, target in record.kind.relations.items():
            getattr(obj, key).set(models[target].objects.filter(slug__in=record.data[key]))
    return [obj for _, obj in relations_to_set]


def export(root, kinds=None) -> list[Path]:
    """Write every record (drafts too) as canonical content files under ``root``."""
    root = Path(root)
    written = []
    for kind in KINDS.values():
        if kinds and kind.name not in kinds:
            continue
        folder = root / kind.folder
        folder.mkdir(parents=True, exist_ok=True)
        queryset = kind.model.objects.all()
        if kind.relations:
            queryset = queryset.prefetch_related(*kind.relations)
        for obj in queryset.order_by("slug"):
            path = folder / f"{obj.slug}.md"
            path.write_bytes(export_text(kind, obj).encode("utf-8"))
            written.append(path)
    if not kinds or "synonym" in kinds:
        written.append(synonym_seed.export(root))  # the search synonyms (search/seed.py)
    return written
