"""Property-based: whatever bytes or front matter a content file holds, the loader either
loads it or answers with clear ``path:line: message`` problems. Never another exception,
and after a refused load the database is exactly as it was."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial import loader
from faq.models import FAQ
from glossary.models import GlossaryTerm
from procedures.models import Condition, Procedure
from tests.factories import PROCEDURE_BODY, make_faq, make_procedure, make_term

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROBLEM = re.compile(r"^\S.*:\d+: \S.*$", re.DOTALL)

VALID = {
    "procedure": {
        "title": "Fuzz procedure",
        "slug": "fuzz-page",
        "summary": "A short summary.",
        "main_message": "It may help.",
        "kind": "treatment",
        "used_for": "Back pain",
        "duration": "About 20 minutes",
        "sedation": "Awake",
        "driver": "Yes",
        "relief_starts": "In a few days",
        "relief_lasts": "It varies",
        "sources": [
            {
                "organization": "Example Society",
                "title": "A patient guide",
                "year": 2024,
                "url": "https://www.example.org/guide",
            }
        ],
    },
    "glossary": {"term": "Fuzzword", "slug": "fuzz-page"},
    "faq": {"question": "Is this a fuzz test?", "slug": "fuzz-page", "topic": "about"},
}
BODIES = {"procedure": PROCEDURE_BODY, "glossary": "A plain definition.", "faq": "An answer."}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.dates(min_value=datetime.date(1, 1, 1))
    | st.datetimes()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted({k for kind in VALID.values() for k in kind} | {"status",
    "order", "also_called", "areas", "conditions", "related", "procedures", "reviewed_on",
    "reviewed_by", "next_review_due", "definition", "body"})) | st.text(max_size=15)  # fmt: skip


def snapshot():
    return (
        sorted(Procedure.objects.values_list("slug", "title", "body", "body_html", "status")),
        sorted(Condition.objects.values_list("slug", "title", "body")),
        sorted(FAQ.objects.values_list("slug", "question", "answer")),
        sorted(GlossaryTerm.objects.values_list("slug", "term", "definition")),
    )


@pytest.fixture
def existing():
    make_procedure(slug="existing-procedure")
    make_faq(slug="existing-question")
    make_term(slug="existing-term")


def load_file(kind: str, raw: bytes):
    """Load a content folder holding just this one file; return the loader's outcome."""
    folder = loader.kinds()[kind].folder
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "content" / folder / "fuzz-page.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(raw)
        before = snapshot()
        try:
            loader.load(path.parent.parent)
        except loader.ContentError as exc:
            assert exc.problems, "a refused load must say why"
            for problem in exc.problems:
                assert PROBLEM.match(str(problem)), str(problem)
                assert problem.line >= 1
            assert snapshot() == before, "a refused load changed the database"
            return "refused"
    return "loaded"


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)), raw=st.binary(max_size=3000))
def test_random_bytes(existing, kind, raw):
    load_file(kind, raw)


@FUZZ
@given(kind=st.sampled_from(sorted(VALID)), body=st.text(max_size=500), front=st.text(max_size=500))
def test_random_text_between_the_markers(existing, kind, front, body):
    load_file(kind, f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))


@FUZZ
@given(
    kind=st.sampled_from(sorted(VALID)),
    changes=st.dictionaries(field_names, values, max_size=4),
    dropped=st.sets(field_names, max_size=3),
    body=st.none() | st.text(max_size=300),
)
def test_random_front_matter(existing, kind, changes, dropped, body):
    front = {k: v for k, v in VALID[kind].items() if k not in dropped}
    front.update(changes)
    try:
        text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return  # not representable as YAML at all: no file to write
    raw = f"---\n{text}---\n{BODIES[kind] if body is None else body}\n"
    outcome = load_file(kind, raw.encode("utf-8", "surrogatepass"))
    if outcome == "loaded":
        # Only a file that passed every check may load, and then it is the page that was given.
        assert loader.kinds()[kind].model.objects.filter(slug="fuzz-page").exists()


def test_the_valid_files_used_as_seeds_do_load(existing):
    for kind in VALID:
        text = yaml.safe_dump(VALID[kind], sort_keys=False, allow_unicode=True)
        assert load_file(kind, f"---\n{text}---\n{BODIES[kind]}\n".encode()) == "loaded"
