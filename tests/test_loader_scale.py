"""The loader's cost grows with the content, not with its square."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pages import readability_exclusions
from core.readability import score_markdown
from core.registry import registry
from editorial import loader
from procedures.models import Condition, Procedure

pytestmark = pytest.mark.django_db


def test_what_comes_from_every_page_is_read_once_per_load():
    with CaptureQueriesContext(connection) as queries:
        loader.load(settings.CONTENT_DIR)
    sql = [q["sql"] for q in queries.captured_queries]
    # Before: once per page saved (74 and 31 times for today's content).
    glossary_reads = [s for s in sql if '"glossary_glossaryterm"."slug" AS "slug"' in s]
    name_reads = [s for s in sql if '"also_called" AS "also_called" FROM "procedures_' in s]
    assert len(glossary_reads) == 1, len(glossary_reads)
    assert len(name_reads) == 1, len(name_reads)


def test_a_pages_reading_grade_does_not_depend_on_load_order():
    loader.load(settings.CONTENT_DIR)
    exclusions = readability_exclusions()
    for page in [*Condition.objects.all(), *Procedure.objects.all()]:
        text = registry.expand(page.body)  # as rendered: shared blocks and numbers filled in
        assert page.reading_grade == score_markdown(text, exclusions).median, page.slug


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_statistics_are_refreshed_after_a_load(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        loader.load(settings.CONTENT_DIR)
    assert loader.analyze in callbacks
