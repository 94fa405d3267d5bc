"""Synonym groups from ``content/synonyms/*.yaml`` (see content/README.md, "Synonyms").

Each file is a YAML mapping of group name (a slug) to a list of two or more
words or phrases that mean the same thing. ``read`` validates every file and
returns problems in the loader's format; ``write`` upserts by slug inside the
loader's transaction. As with pages, a group changed in the admin since the
last load is kept (and reported) unless ``force`` is given; groups that exist
only in the admin are never touched. ``export`` writes every active group back
in the canonical format (``HEADER``, then groups in name order), so a load
followed by an export gives back ``synonyms.yaml`` byte for byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from core.registry import registry
from editorial.content_files import MAX_FILE_BYTES, SLUG_RE, shown_path
from editorial.content_files import Problem as problem

FOLDER = "synonyms"
EXPORT_FILE = "synonyms.yaml"
HEADER = """\
# Words that mean the same thing to a patient. A search for any term in a
# group also finds pages that use the others. Format: content/README.md,
# "Synonyms". Staff can change these in the admin (Search > Synonyms).
"""


@dataclass(frozen=True)
class Group:
    slug: str
    terms: tuple[str, ...]
    path: Path

    @property
    def text(self) -> str:
        return "\n".join(self.terms)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def read(root: Path) -> tuple[list[Group], list]:
    """Every group under ``root/synonyms/``, and the loader's ``Problem`` for each error."""
    folder = Path(root) / FOLDER
    groups: list[Group] = []
    problems: list = []
    if not folder.is_dir():
        return groups, problems
    seen: dict[str, str] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        shown = shown_path(Path(root), path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(problem(shown, 1, f"cannot read the file ({exc.strerror})"))
            continue
        if len(raw) > MAX_FILE_BYTES:
            problems.append(problem(shown, 1, f"the file is {len(raw)} bytes; at most 1000000"))
            continue
        try:
            content = raw.decode("utf-8").removeprefix("\ufeff")
            node = yaml.compose(content, Loader=yaml.SafeLoader)
            data = yaml.safe_load(content)
        except UnicodeDecodeError:
            problems.append(problem(shown, 1, "bytes that are not UTF-8: save the file as UTF-8"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problems.append(problem(shown, line, f"invalid YAML: {getattr(exc, 'problem', exc)}"))
            continue
        if data is None:
            continue
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            problems.append(
                problem(shown, 1, "the file must be 'group-name:' lines, each with a list")
            )
            continue
        lines = {
            str(key.value): key.start_mark.line + 1
            for key, _ in node.value
            if isinstance(key, yaml.ScalarNode)
        }
        for name, terms in data.items():
            line = lines.get(str(name), 1)
            if not isinstance(name, str) or not SLUG_RE.match(name):
                problems.append(
                    problem(
                        shown,
                        line,
                        f"group name '{name}' must be lower-case letters, digits and hyphens",
                    )
                )
                continue
            if name in seen:
                problems.append(
                    problem(shown, line, f"group '{name}' is given twice (also in {seen[name]})")
                )
                continue
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                problems.append(
                    problem(shown, line, f"'{name}' must be a list of words or phrases")
                )
                continue
            if any("\n" in t for t in terms):
                problems.append(problem(shown, line, f"'{name}': one term per line"))
                continue
            try:
                clean = registry.model("synonym").check_terms("\n".join(terms))
            except ValidationError as exc:
                problems.append(problem(shown, line, f"'{name}': {' '.join(exc.messages)}"))
                continue
            seen[name] = shown
            groups.append(Group(slug=name, terms=tuple(clean), path=path))
    return groups, problems


def write(groups: list[Group], report, force: bool = False) -> None:
    """Upsert ``groups`` (call inside the load's transaction)."""
    Synonym = registry.model("synonym")  # noqa: N806
    existing = {s.slug: s for s in Synonym.objects.filter(slug__in=[g.slug for g in groups])}
    for group in groups:
        new_text = group.text
        obj = existing.get(group.slug)
        if obj is None:
            Synonym.objects.create(slug=group.slug, terms=new_text, source_hash=digest(new_text))
            report.add("synonym", "created")
            continue
        if obj.terms == new_text:
            if obj.source_hash != digest(new_text):
                obj.source_hash = digest(new_text)
                obj.save(update_fields=["source_hash"])
            report.add("synonym", "unchanged")
            continue
        if obj.source_hash != digest(obj.terms) and not force:
            report.add("synonym", "skipped")
            report.skipped.append(
                f"{group.path.name}: synonym group '{group.slug}' was changed in the admin since "
                "the last load; kept the admin version (use --force to overwrite it)"
            )
            continue
        obj.terms = new_text
        obj.source_hash = digest(new_text)
        obj.save()
        report.add("synonym", "updated")


def dump(groups: dict[str, list[str]]) -> str:
    body = yaml.safe_dump(
        {slug: groups[slug] for slug in sorted(groups)},
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )
    return HEADER + body


def export(root: Path) -> Path:
    """Write the active groups to ``root/synonyms/synonyms.yaml`` (switched-off ones stay
    in the admin only, since the file has no way to say "off")."""
    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXPORT_FILE
    groups = {s.slug: s.term_list for s in registry.model("synonym").objects.active()}
    path.write_bytes(dump(groups).encode("utf-8"))
    return path
