"""load_content / export_content: validation, atomicity, idempotence, admin edits, round trip."""

import filecmp
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from editorial import loader
from faq.models import FAQ
from glossary.models import GlossaryTerm
from procedures.models import Condition, Procedure
from tests.factories import PROCEDURE_BODY

pytestmark = pytest.mark.django_db

PROCEDURE = (
    """---
title: Test block
slug: test-block
status: published
order: 10
also_called:
- test shot
summary: A short summary.
main_message: It may help, and it may not.
kind: diagnostic
used_for: Finding the source of pain
duration: About 20 minutes
sedation: Awake
driver: Yes, bring a driver.
relief_starts: Within minutes
relief_lasts: A few hours
areas:
- lower-back
conditions:
- test-pain
related: []
sources:
- organization: NHS
  title: Back pain
  year: 2023
  url: https://www.nhs.uk/conditions/back-pain/
- organization: MedlinePlus
  title: Back Pain
  year: 2024
  url: https://medlineplus.gov/backpain.html
reviewed_on: 2026-11-01
reviewed_by: Clinic medical team
next_review_due: 2027-11-01
---

"""
    + PROCEDURE_BODY
)

CONDITION = """---
title: Test pain
slug: test-pain
status: published
order: 10
also_called: []
summary: A kind of pain.
areas:
- lower-back
reviewed_on: 2026-11-01
reviewed_by: Clinic medical team
next_review_due: 2027-11-01
---

## What it is

A test condition.
"""

FAQ_FILE = """---
question: Will it hurt?
slug: will-it-hurt
topic: the-day
status: published
order: 10
procedures:
- test-block
---

It may sting a little.
"""

TERM = """---
term: Fluoroscopy
slug: fluoroscopy
status: published
also_called:
- X-ray guidance
---

A kind of live X-ray.
"""


def write_set(root: Path, **overrides) -> Path:
    files = {
        "procedures/test-block.md": PROCEDURE,
        "conditions/test-pain.md": CONDITION,
        "faq/will-it-hurt.md": FAQ_FILE,
        "glossary/fluoroscopy.md": TERM,
    }
    files.update(overrides)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            continue
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def counts():
    return (
        Procedure.objects.count(),
        Condition.objects.count(),
        FAQ.objects.count(),
        GlossaryTerm.objects.count(),
    )


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Procedure, Condition, FAQ, GlossaryTerm)
    ]


def test_valid_set_loads_everything(tmp_path):
    report = loader.load(write_set(tmp_path))
    assert report.total("created") == 4
    procedure = Procedure.objects.get(slug="test-block")
    assert list(procedure.conditions.values_list("slug", flat=True)) == ["test-pain"]
    assert list(procedure.areas.values_list("slug", flat=True)) == ["lower-back"]
    assert FAQ.objects.get().procedures.get() == procedure
    assert '<h2 id="how-to-prepare">' in procedure.body_html
    assert procedure.source_hash


def test_second_run_changes_nothing(tmp_path):
    write_set(tmp_path)
    loader.load(tmp_path)
    before = snapshot()
    report = loader.load(tmp_path)
    assert report.total("unchanged") == 4
    assert report.total("created") == report.total("updated") == 0
    assert snapshot() == before


def test_changed_file_updates_its_record(tmp_path):
    write_set(tmp_path)
    loader.load(tmp_path)
    write_set(tmp_path, **{"faq/will-it-hurt.md": FAQ_FILE.replace("sting", "pinch")})
    report = loader.load(tmp_path)
    assert report.counts["faq"]["updated"] == 1
    assert "pinch" in FAQ.objects.get().answer_html


def test_dry_run_writes_nothing(tmp_path, capsys):
    write_set(tmp_path)
    call_command("load_content", str(tmp_path), "--dry-run")
    assert counts() == (0, 0, 0, 0)
    out = capsys.readouterr().out
    assert "Dry run" in out and "4 created" in out


def test_command_prints_summary(tmp_path, capsys):
    call_command("load_content", str(write_set(tmp_path)))
    assert "4 created, 0 updated, 0 unchanged, 0 skipped." in capsys.readouterr().out


BAD_INPUTS = {
    "bad yaml": (
        "procedures/test-block.md",
        PROCEDURE.replace("kind: diagnostic", "kind: [diagnostic"),
        "procedures/test-block.md:",
        "invalid YAML",
    ),
    "missing field": (
        "procedures/test-block.md",
        PROCEDURE.replace("main_message: It may help, and it may not.\n", ""),
        "procedures/test-block.md:1:",
        "missing required field 'main_message'",
    ),
    "missing section": (
        "procedures/test-block.md",
        PROCEDURE.replace("## How to prepare\n", "## Getting ready\n"),
        "procedures/test-block.md:",
        "missing section '## How to prepare'",
    ),
    "unknown condition": (
        "procedures/test-block.md",
        PROCEDURE.replace("- test-pain", "- no-such-pain"),
        "procedures/test-block.md:20:",
        "unknown condition 'no-such-pain'",
    ),
    "slug not matching file name (duplicate)": (
        "conditions/other.md",
        CONDITION,
        "conditions/test-pain.md:3:",
        "duplicate slug 'test-pain' (also in",
    ),
    "not utf-8": (
        "faq/will-it-hurt.md",
        FAQ_FILE.encode("utf-8").replace(b"sting", b"st\xffing"),
        "faq/will-it-hurt.md:11:",
        "not UTF-8",
    ),
    "empty": ("faq/empty.md", b"", "faq/empty.md:1:", "the file is empty"),
    "binary": (
        "glossary/blob.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "glossary/blob.md:",
        "binary data",
    ),
    "unknown field": (
        "glossary/fluoroscopy.md",
        TERM.replace("status: published", "status: published\ncolour: blue"),
        "glossary/fluoroscopy.md:5:",
        "unknown field 'colour'",
    ),
    "unclosed front matter": (
        "glossary/fluoroscopy.md",
        TERM.replace("---\n\nA kind", "\nA kind"),
        "glossary/fluoroscopy.md:1:",
        "not closed",
    ),
    "bad choice": (
        "faq/will-it-hurt.md",
        FAQ_FILE.replace("topic: the-day", "topic: someday"),
        "faq/will-it-hurt.md:4:",
        "'topic' must be one of",
    ),
    "three care cards": (
        "procedures/test-block.md",
        PROCEDURE.replace("### Call the clinic today\n", ""),
        "procedures/test-block.md:",
        "exactly 3 '###' headings",
    ),
    "bad date": (
        "conditions/test-pain.md",
        CONDITION.replace("reviewed_on: 2026-11-01", "reviewed_on: last week"),
        "conditions/test-pain.md:10:",
        "'reviewed_on' must be a date",
    ),
    # A section problem points at the heading's own line, not the line before it.
    "care cards at the heading's line": (
        "procedures/test-block.md",
        PROCEDURE.replace("### Call the clinic today\n", ""),
        "procedures/test-block.md:68:",
        "exactly 3 '###' headings",
    ),
    # Markdown the renderer refuses: a problem at its line, never a traceback.
    "markdown nested too deeply": (
        "faq/will-it-hurt.md",
        FAQ_FILE.replace("It may sting a little.", "It may sting.\n\n" + "1. " * 1000),
        "faq/will-it-hurt.md:13:",
        "nested 1000 levels deep",
    ),
    "markdown with unclosed brackets": (
        "glossary/fluoroscopy.md",
        TERM.replace("A kind of live X-ray.", "[" * 27_000),
        "glossary/fluoroscopy.md:9:",
        "square brackets '[' are open",
    ),
    "markdown too long": (
        "conditions/test-pain.md",
        CONDITION.replace("A test condition.", "A test condition." + " Word." * 9_000),
        "conditions/test-pain.md:17:",
        "a page can hold at most 50,000",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_names_file_and_line_and_changes_nothing(tmp_path, name, capsys):
    # A good load first, so "changes nothing" is about existing rows too.
    write_set(tmp_path)
    loader.load(tmp_path)
    before = snapshot()
    path, text, where, message = BAD_INPUTS[name]
    # Every good file changes too, so a partial write would show.
    write_set(
        tmp_path,
        **{"faq/will-it-hurt.md": FAQ_FILE.replace("sting", "pinch")},
    )
    (tmp_path / path).write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_content", str(tmp_path))
    err = capsys.readouterr().err
    assert any(line.endswith(message) or message in line for line in err.splitlines()), err
    assert any(where in line and message in line for line in err.splitlines()), err
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A long run of spaces made the front-matter key pattern quadratic (minutes for
        # one file) ...
        (PROCEDURE.replace("order: 10", "order: 10\nnote" + " " * 300_000 + "x"), "invalid YAML"),
        # ... and the heading pattern cubic (the heading is still found: no problem).
        (PROCEDURE.replace("## What it is", "## What it is" + " " * 20_000 + "x"), None),
    ],
)
def test_hostile_lines_are_read_in_linear_time(tmp_path, text, problem):
    path = tmp_path / "procedures" / "test-block.md"
    path.parent.mkdir()
    path.write_text(text)
    start = time.perf_counter()
    record, problems = loader.parse_file(loader.kinds()["procedure"], path, "test-block.md")
    assert time.perf_counter() - start < 2
    if problem is None:
        assert record is not None and problems == []
    else:
        assert record is None and any(problem in str(p) for p in problems), problems


def test_all_problems_reported_at_once(tmp_path):
    write_set(
        tmp_path,
        **{"faq/empty.md": b"", "glossary/blob.md": b"\x00\x01"},
    )
    with pytest.raises(loader.ContentError) as exc:
        loader.load(tmp_path)
    assert len(exc.value.problems) == 2


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(loader.ContentError, match="no such folder"):
        loader.load(tmp_path / "nope")


def test_admin_edit_is_not_overwritten(tmp_path, capsys):
    write_set(tmp_path)
    loader.load(tmp_path)
    procedure = Procedure.objects.get(slug="test-block")
    procedure.main_message = "Edited by staff in the admin."
    procedure.save()
    write_set(
        tmp_path,
        **{"procedures/test-block.md": PROCEDURE.replace("About 20 minutes", "About 30 minutes")},
    )
    call_command("load_content", str(tmp_path))
    captured = capsys.readouterr()
    assert "1 skipped" in captured.out
    assert "test-block" in captured.err and "--force" in captured.err
    procedure.refresh_from_db()
    assert procedure.main_message == "Edited by staff in the admin."
    assert procedure.duration == "About 20 minutes"
    # Even with the file untouched, a later load keeps the admin's text.
    loader.load(tmp_path)
    procedure.refresh_from_db()
    assert procedure.main_message == "Edited by staff in the admin."


def test_force_overwrites_admin_edit(tmp_path):
    write_set(tmp_path)
    loader.load(tmp_path)
    Procedure.objects.filter(slug="test-block").update(main_message="Edited in the admin.")
    report = loader.load(tmp_path, force=True)
    assert report.counts["procedure"]["updated"] == 1
    assert Procedure.objects.get(slug="test-block").main_message == "It may help, and it may not."


def test_page_created_in_admin_is_not_overwritten_by_a_file(tmp_path):
    from tests.factories import make_condition

    make_condition(slug="test-pain", title="Written in the admin")
    report = loader.load(write_set(tmp_path))
    assert report.counts["condition"]["skipped"] == 1
    assert Condition.objects.get(slug="test-pain").title == "Written in the admin"


def test_export_round_trip_small_set(tmp_path):
    source = write_set(tmp_path / "in")
    loader.load(source)
    loader.export(tmp_path / "out")
    for path in source.rglob("*.md"):
        exported = tmp_path / "out" / path.relative_to(source)
        assert exported.read_bytes() == path.read_bytes(), path


UNREVIEWED = "".join(
    line
    for line in PROCEDURE.splitlines(keepends=True)
    if not line.startswith(("reviewed_on:", "reviewed_by:", "next_review_due:"))
)


def test_page_never_reviewed_names_no_reviewer_and_round_trips(tmp_path):
    source = write_set(tmp_path / "in", **{"procedures/test-block.md": UNREVIEWED})
    loader.load(source)
    page = Procedure.objects.get(slug="test-block")
    assert page.reviewed_on is None and page.reviewed_by == ""
    loader.export(tmp_path / "out")
    assert (tmp_path / "out" / "procedures" / "test-block.md").read_text() == UNREVIEWED


def test_unreviewed_page_names_no_reviewer_and_round_trips(tmp_path):
    """A file without review fields loads as never reviewed, with no reviewer named."""
    review = (
        "reviewed_on: 2026-11-01\nreviewed_by: Clinic medical team\nnext_review_due: 2027-11-01\n"
    )
    unreviewed = CONDITION.replace(review, "")
    assert "reviewed" not in unreviewed and "next_review_due" not in unreviewed
    source = write_set(tmp_path / "in", **{"conditions/test-pain.md": unreviewed})
    loader.load(source)
    page = Condition.objects.get(slug="test-pain")
    assert page.reviewed_on is None and page.next_review_due is None and page.reviewed_by == ""
    assert loader.load(source).counts["condition"]["unchanged"] == 1
    loader.export(tmp_path / "out")
    exported = tmp_path / "out" / "conditions" / "test-pain.md"
    assert exported.read_text(encoding="utf-8") == unreviewed


FOLDERS = ("procedures", "conditions", "faq", "glossary", "pathways", "safety", "plans", "quizzes")


def test_export_round_trip_real_content(tmp_path):
    """load content/ then export it: every file comes back byte for byte."""
    loader.load(settings.CONTENT_DIR)
    call_command("export_content", str(tmp_path))
    originals = sorted(
        p.relative_to(settings.CONTENT_DIR)
        for folder in FOLDERS
        for p in (settings.CONTENT_DIR / folder).glob("*.md")
    )
    exported = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.md"))
    assert exported == originals
    match, mismatch, errors = filecmp.cmpfiles(
        settings.CONTENT_DIR, tmp_path, [str(p) for p in originals], shallow=False
    )
    assert mismatch == [] and errors == []


def test_real_content_loads_twice_idempotently():
    first = loader.load(settings.CONTENT_DIR)
    assert first.total("created") >= 10 + 8 + 25 + 40
    second = loader.load(settings.CONTENT_DIR)
    assert second.total("unchanged") == first.total("created")


def test_copy_of_content_dir_validates(tmp_path):
    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    report = loader.load(tmp_path / "content", dry_run=True)
    assert report.dry_run and Procedure.objects.count() == 0
