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

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from core import includes, markdown
from core import sources as core_sources
from core.pages import (
    MAX_SENTENCE_WORDS,
    Status,
    content_problems,
    lines,
    long_sentence_message,
    normalize_newlines,
    one_year_after,
    readability_exclusions,
)
from core.readability import long_sentence_lines
from core.registry import PageType, registry
from core.signals import content_loaded
from editorial import images_loader, synonyms_loader, workflow
from editorial.content_files import (
    MAX_FILE_BYTES,
    ContentError,
    Invalid,
    Problem,
    Report,
    choice,
    date,
    integer,
    shown_path,
    slug,
    slug_list,
    sources,
    string_list,
    text,
)

# "key:" at the start of a front-matter line. Greedy up to the first ':' (the key's
# trailing spaces are stripped after): a lazy key followed by \s* backtracks
# quadratically on a long line of spaces.
_KEY_LINE = re.compile(r"([^\s:#-][^:]*):(\s|$)")

# --- what each kind of file holds: derived from the model's own fields ----------


@dataclass(frozen=True)
class FieldSpec:
    check: Callable
    required: bool = False
    default: object = None


def _model_validators(model_field) -> Callable:
    """The model field's own validators, so files and the admin follow one rule."""

    def check(value):
        try:
            model_field.run_validators(value)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages).rstrip(".")) from None
        return value

    return check


def _then(*checks: Callable) -> Callable:
    def check(value):
        for step in checks:
            value = step(value)
        return value

    return check


def field_spec(page_type: PageType, name: str) -> FieldSpec:
    model_field = page_type.model._meta.get_field(name)
    required = name in page_type.required
    if name in page_type.file_defaults:
        default = page_type.file_defaults[name]
    elif model_field.many_to_many or name in page_type.list_fields:
        default = []
    elif name in source_fields(page_type):
        default = []
    elif model_field.has_default() and model_field.get_default() != "":
        default = model_field.get_default()
    else:
        default = None
    if model_field.many_to_many:
        check = slug_list
    elif name in page_type.list_fields:
        check = string_list
    elif name in source_fields(page_type):
        check = sources
    elif model_field.choices:
        check = choice(model_field.choices)
    elif isinstance(model_field, models.SlugField):
        check = slug
    elif isinstance(model_field, models.IntegerField):
        check = integer
    elif isinstance(model_field, models.DateField):
        check = date
    else:
        check = _then(text(model_field.max_length), _model_validators(model_field))
    return FieldSpec(check, required, default)


def source_fields(page_type: PageType) -> tuple[str, ...]:
    return tuple(getattr(page_type.model, "source_fields", ()))


@dataclass(frozen=True)
class Kind_:
    page_type: PageType
    fields: dict[str, FieldSpec]

    @property
    def name(self) -> str:
        return self.page_type.name

    @property
    def folder(self) -> str:
        return self.page_type.folder

    @property
    def model(self):
        return self.page_type.model

    @property
    def body_field(self) -> str:
        return self.page_type.text_field

    @property
    def relations(self) -> dict[str, type]:
        return self.page_type.relations

    @property
    def list_fields(self) -> frozenset[str]:
        return self.page_type.list_fields

    @property
    def source_fields(self) -> tuple[str, ...]:
        return source_fields(self.page_type)


@cache
def kinds() -> dict[str, Kind_]:
    """Every registered page type with its file schema, in load order."""
    return {
        page_type.name: Kind_(
            page_type, {name: field_spec(page_type, name) for name in page_type.front_matter}
        )
        for page_type in registry
    }


# --- reading -------------------------------------------------------------------


@dataclass
class Record:
    kind: Kind_
    path: Path
    data: dict
    body: str
    key_lines: dict[str, int]
    shown: str
    front_lines: list[str] = field(default_factory=list)
    body_start: int = 1  # the file's line where the body starts

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
    # Sentences over 20 words: refused here as in the admin (core.pages.text_problems).
    for line, sentence in long_sentence_lines(body, MAX_SENTENCE_WORDS):
        problems.append(Problem(shown, body_start + line - 1, long_sentence_message(sentence)))

    if "reviewed_on" in kind.fields and data.get("reviewed_on") and not data.get("next_review_due"):
        data["next_review_due"] = one_year_after(data["reviewed_on"])
    if kind.page_type.check_body and body:
        for line, message in kind.page_type.check_body(body, body_start):
            problems.append(Problem(shown, line, message))
    if problems:
        return None, problems
    record = Record(kind, path, data, body, key_lines, shown, all_lines[:closing], body_start)
    return record, []


def check_content(record: Record) -> list[Problem]:
    """The rules the admin applies too (``core.pages.content_problems``), per field."""
    page = record.kind.model()
    apply(record.kind, page, record)
    found = content_problems(page)
    # The body's limits and names are checked with their line (check_markdown, check_names).
    found.pop(record.kind.body_field, None)
    return [
        Problem(record.shown, record.key_lines.get(name, 1), f"'{name}': {message}")
        for name, messages in found.items()
        for message in messages
    ]


def check_markdown(body: str, first_line: int, shown: str) -> list[Problem]:
    """Text the renderer refuses (too long, nested too deeply, ...), at its line in the file."""
    return [
        Problem(shown, first_line + problem.line - 1, problem.message)
        for problem in markdown.limit_problems(body)
    ]


# --- canonical text ------------------------------------------------------------


def dump(kind: Kind_, data: dict, body: str) -> str:
    ordered = {name: data.get(name) for name in kind.fields}
    # An empty optional value is left out (a page nobody reviewed names no reviewer).
    # So are optional sources when there are none.
    ordered = {
        k: v
        for k, v in ordered.items()
        if v is not None
        and not (v == "" and not kind.fields[k].required)
        and not (v == [] and k in kind.source_fields and not kind.fields[k].required)
    }
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
        elif name in kind.list_fields:
            data[name] = lines(getattr(obj, name))
        elif name in kind.source_fields:
            # None (left out of the file) when there are none and none are required.
            cited = core_sources.parse_lines(getattr(obj, name))
            data[name] = cited or (None if not kind.fields[name].required else [])
        else:
            value = getattr(obj, name)
            # An empty optional value is left out of the file (as it was never written).
            required = kind.fields[name].required
            data[name] = None if value in ("", None) and not required else value
    return data


def export_text(kind: Kind_, obj) -> str:
    return dump(kind, model_data(kind, obj), getattr(obj, kind.body_field))


def apply(kind: Kind_, obj, record: Record):
    for name, value in record.data.items():
        if name in kind.relations:
            continue
        if name in kind.list_fields:
            value = "\n".join(value)
        elif name in kind.source_fields:
            value = "\n".join(core_sources.line(source) for source in value)
        elif value is None:
            value = obj._meta.get_field(name).get_default()
        setattr(obj, name, normalize_newlines(value))
    setattr(obj, kind.body_field, record.body)


# --- the load ------------------------------------------------------------------


def read_all(root: Path) -> tuple[dict[str, list[Record]], list[Problem]]:
    root = Path(root)
    problems: list[Problem] = []
    records: dict[str, list[Record]] = {name: [] for name in kinds()}
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "no such folder")])
    found_any = False
    for kind in kinds().values():
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        seen: dict[str, str] = {}
        for path in sorted(folder.glob("*.md")):
            found_any = True
            shown = shown_path(root, path)
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
            problems.extend(check_content(record))
            records[kind.name].append(record)
    if not found_any and not problems:
        problems.append(
            Problem(
                str(root), 1, "no content files found (expected procedures/, conditions/, faq/ …)"
            )
        )
    problems.extend(check_references(records))
    problems.extend(check_names(records))
    return records, problems


def check_references(records: dict[str, list[Record]]) -> list[Problem]:
    """Every slug a file names must exist: in the database or among the files loaded."""
    loading = {kind.model: {r.slug for r in records[name]} for name, kind in kinds().items()}
    known: dict[type, set[str]] = {}
    problems = []
    for kind_records in records.values():
        for record in kind_records:
            for key, target in record.kind.relations.items():
                if target not in known:
                    existing = set(target.objects.values_list("slug", flat=True))
                    known[target] = existing | loading.get(target, set())
                for ref in record.data.get(key) or []:
                    if ref not in known[target]:
                        problems.append(
                            Problem(
                                record.shown,
                                record.item_line(key, ref),
                                f"unknown {target._meta.verbose_name} '{ref}' in '{key}'",
                            )
                        )
    return problems


def check_names(records: dict[str, list[Record]]) -> list[Problem]:
    """Clinic facts and shared blocks named in the text, and rules stated twice, at their
    lines. The blocks are the published ones after this load: those in the database,
    replaced by the files being loaded."""
    blocks = dict(registry.block_source())
    for record in records.get("safety block", ()):
        if record.data.get("status") == Status.PUBLISHED:
            blocks[record.slug] = includes.Block(
                slug=record.slug,
                title=record.data["title"],
                text=record.body,
                watch_phrases=tuple(record.data.get("watch_phrases") or ()),
                sources=tuple(record.data.get("sources") or ()),
            )
        else:
            blocks.pop(record.slug, None)
    problems = []
    for kind_records in records.values():
        for record in kind_records:
            may_include = getattr(record.kind.model, "may_include", True)
            for line, message in registry.text_problems(
                record.body, may_include=may_include, blocks=blocks
            ):
                problems.append(Problem(record.shown, record.body_start + line - 1, message))
    return problems


def load(root, *, dry_run: bool = False, force: bool = False, user=None) -> Report:
    """Validate everything under ``root``; if all is well, write it in one transaction."""
    root = Path(root)
    records, problems = read_all(root)
    synonyms, synonym_problems = synonyms_loader.read(root)
    problems.extend(synonym_problems)
    images, image_problems = images_loader.read(root, records)
    problems.extend(image_problems)
    if problems:
        raise ContentError(problems)
    report = Report(dry_run=dry_run)
    with transaction.atomic():
        # Names left out of reading grades: those already stored and every one in this
        # load, worked out once (the grade of a page then does not depend on load order).
        exclusions = readability_exclusions() + names_in(records)
        with registry.derived_values(readability_exclusions=exclusions):
            with registry.cascades_paused():
                images_loader.write(images, report, dry_run)  # before the pages showing them
                written = _write(records, report, force, user)
                synonyms_loader.write(synonyms, report, force)
            glossary = report.counts.get("glossary", {})
            if glossary.get("created") or glossary.get("updated"):
                # Term links on every page follow the glossary; pages written in this load
                # were rendered after the glossary (it is written first), so are skipped.
                registry.rerender(
                    only=lambda page_type: models.Q() if page_type.glossary_links else None,
                    skip=written,
                )
        content_loaded.send(sender=load, report=report)  # e.g. search rebuilds its index
        if dry_run:
            transaction.set_rollback(True)
        elif connection.vendor == "postgresql":
            # Fresh planner statistics after a bulk write (stale ones slow every page).
            transaction.on_commit(analyze)
    return report


def names_in(records: dict[str, list[Record]]) -> list[str]:
    """The names (and other names) of the records whose names are terms."""
    words: list[str] = []
    for kind_records in records.values():
        for record in kind_records:
            page_type = record.kind.page_type
            if not page_type.names_are_terms:
                continue
            words.append(str(record.data.get(page_type.name_field) or ""))
            also = record.data.get("also_called") or []
            words.extend(lines(also) if isinstance(also, str) else [str(a) for a in also])
    return [word for word in words if word]


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _write(records: dict[str, list[Record]], report: Report, force: bool, user) -> list:
    relations_to_set: list[tuple[Record, object, str]] = []
    for kind_name, kind in kinds().items():
        existing = kind.model.objects.filter(slug__in=[r.slug for r in records[kind_name]])
        if kind.relations:
            existing = existing.prefetch_related(*kind.relations)
        by_slug = {o.slug: o for o in existing}
        waiting = workflow.waiting_ids(kind.model, [o.pk for o in by_slug.values()])
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
                if obj.pk in waiting and not force:
                    report.add(kind_name, "skipped")
                    report.skipped.append(
                        f"{record.path.name}: '{record.slug}' has changes waiting for review; "
                        "kept the page as it is (use --force to load the file and set the "
                        "waiting changes aside; they stay in the page's history)"
                    )
                    continue
                outcome = "updated"
            apply(kind, obj, record)
            obj.source_hash = digest(new_text)
            obj.skip_history_when_saving = True  # one record, written once the links are set
            obj.save()
            del obj.skip_history_when_saving
            relations_to_set.append((record, obj, outcome))
            report.add(kind_name, outcome)
    written = []
    for record, obj, outcome in relations_to_set:
        for key, target in record.kind.relations.items():
            getattr(obj, key).set(target.objects.filter(slug__in=record.data[key]))
        workflow.record_load(obj, user=user, created=outcome == "created")
        written.append(obj)
    return written


def export(root, kinds_=None) -> list[Path]:
    """Write every record (drafts too) as canonical content files under ``root``."""
    root = Path(root)
    written = []
    images = []
    if not kinds_ or "image" in kinds_:
        # First: it checks every stored image before writing, and stops with ContentError.
        images = images_loader.export(root)
    for kind in kinds().values():
        if kinds_ and kind.name not in kinds_:
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
    written.extend(images)
    if not kinds_ or "synonym" in kinds_:
        written.append(synonyms_loader.export(root))
    return written
