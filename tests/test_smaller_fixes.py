"""The smaller causes from issue 16, each pinned by a test that failed before its fix."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQL
from PIL import Image

from core.pages import Status
from core.registry import Registry, registry
from editorial import workflow
from figures import images
from figures.models import Figure
from glossary.models import GlossaryTerm
from tests.admin_forms import admin_url
from tests.factories import (
    PROCEDURE_BODY,
    make_editor,
    make_figure,
    make_procedure,
    make_reviewer,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- 1. a definition with < or & is escaped once in the pop-up ---------------------


def popover(html: str, slug: str) -> str:
    found = re.search(rf'<span class="gloss-pop" id="g-{slug}" popover>(.*?)</span>', html)
    assert found, html
    return found.group(1)


def test_a_definition_with_less_than_and_ampersand_is_escaped_once_in_the_popover():
    make_term(term="Zappo", slug="zappo", definition='A dose of < 5 mg & a "small" needle.')
    page = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    pop = popover(page.body_html, "zappo")
    assert "A dose of &lt; 5 mg &amp; a &quot;small&quot; needle." in pop
    assert "&amp;lt;" not in pop and "&amp;amp;" not in pop and "&amp;quot;" not in pop


def test_glossary_entries_hold_plain_text_not_html_entities():
    make_term(term="Zappo", slug="zappo", definition="Fish & chips <b>bold</b>.")
    (entry,) = GlossaryTerm.objects.entries()
    assert entry.definition == "Fish & chips bold."


# --- 2. a phone JPEG that Pillow reads as MPO is accepted as JPEG ------------------


def mpo_bytes(size=(640, 480)) -> bytes:
    """A multi-picture JPEG as many phones write it (a main picture and a second one)."""
    buffer = io.BytesIO()
    first = Image.new("RGB", size, (200, 60, 30))
    second = Image.new("RGB", (size[0] // 4, size[1] // 4), (30, 60, 200))
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).format == "MPO"
    return data


def test_a_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg():
    processed = images.process(mpo_bytes(), "IMG_1234.JPG")
    assert (processed.width, processed.height) == (640, 480)
    master = Image.open(io.BytesIO(processed.data))
    assert master.format == "PNG" and master.getpixel((5, 5))[:3] == pytest.approx(
        (200, 60, 30), abs=3
    )
    assert processed.fallback == "jpg"
    # Still a JPEG: a .png name on it is refused as for any JPEG.
    with pytest.raises(images.ImageRejected, match="it is a JPEG image"):
        images.process(mpo_bytes(), "photo.png")


def test_an_admin_upload_of_a_multi_picture_jpeg_is_saved(client):
    client.force_login(make_reviewer())
    upload = SimpleUploadedFile("IMG_1234.jpeg", mpo_bytes(), "image/jpeg")
    response = client.post(
        admin_url(Figure, "add"), {"key": "phone-photo", "alt": "A photo", "image": upload}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Figure.objects.get(key="phone-photo").renditions


# --- 3. an upload with a long file name is accepted (the stored name is random) ----


def test_an_upload_with_a_file_name_over_100_characters_is_accepted(client):
    client.force_login(make_reviewer())
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buffer, "JPEG")
    name = "Screenshot of the clinic diagram " + "very long name " * 10 + ".jpg"
    assert len(name) > 100
    upload = SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")
    response = client.post(
        admin_url(Figure, "add"), {"key": "long-name", "alt": "A diagram", "image": upload}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = Figure.objects.get(key="long-name")
    assert re.fullmatch(r"figures/[0-9a-f]{32}\.png", figure.image.name)
    assert len(figure.image.name) <= Figure._meta.get_field("image").max_length


# --- 4. an image reference in other letter case still counts on PostgreSQL ---------


def test_a_reference_in_other_letter_case_counts_as_showing_the_image():
    figure = make_figure("needle")
    assert not figure.used_on_published_pages()
    make_procedure(status=Status.PUBLISHED, body="## What it is\n\n![A](images/Needle.jpg)\n")
    assert figure.used_on_published_pages()
    # So the review gate holds in the admin too.
    assert Figure.objects.get(key="needle").used_on_published_pages()


def test_the_image_lookup_is_case_insensitive_on_postgresql():
    """SQLite's LIKE ignores case anyway; PostgreSQL's does not, so look at its SQL."""
    postgresql = PostgreSQL(
        {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql"}, "sql-only"
    )
    figure = Figure(key="needle")
    checked = 0
    for page_type in registry:
        queryset = page_type.model.objects.published().filter(figure.shown_on(page_type))
        sql, params = queryset.query.get_compiler(connection=postgresql).as_sql()
        column = f'"{page_type.model._meta.db_table}"."{page_type.text_field}"'
        assert f"UPPER({column}::text) LIKE UPPER(%s)" in sql, sql
        assert "%images/needle%" in params
        checked += 1
    assert checked >= 4


# --- 5. only changes patients can see make the pages render again ------------------


@pytest.fixture
def renders(monkeypatch):
    """How many times every page was rendered again after a glossary change."""
    calls = []
    original = Registry.rerender

    def counting(self, *args, **kwargs):
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Registry, "rerender", counting)
    return calls


def test_a_draft_glossary_term_saved_renders_no_page(renders):
    page = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    editor = make_editor()
    workflow.create(
        GlossaryTerm, {"term": "Zappo", "slug": "zappo", "definition": "A made-up word."}, editor
    )
    term = GlossaryTerm.objects.get(slug="zappo")
    assert term.status == Status.DRAFT
    term.definition = "A made-up word, changed."
    term.save()
    make_term(term="Other", slug="other", status=Status.DRAFT).delete()
    assert renders == []
    page.refresh_from_db()
    assert "gloss" not in page.body_html


def test_publishing_changing_and_unpublishing_a_term_render_the_pages(renders):
    page = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    term = make_term(term="Zappo", slug="zappo", status=Status.DRAFT, definition="First.")
    reviewer = make_reviewer()

    workflow.publish(term, reviewer)
    assert len(renders) == 1
    page.refresh_from_db()
    assert "First." in popover(page.body_html, "zappo")

    term.refresh_from_db()
    term.definition = "Second."
    term.save()
    assert len(renders) == 2
    page.refresh_from_db()
    assert "Second." in popover(page.body_html, "zappo")

    term.refresh_from_db()
    term.save()  # saved with nothing patients see changed
    term.order = 5
    term.save(update_fields=["order"])
    assert len(renders) == 2

    workflow.unpublish(term, reviewer)
    assert len(renders) == 3
    page.refresh_from_db()
    assert "gloss" not in page.body_html


def test_deleting_a_term_renders_the_pages_only_if_it_was_published(renders):
    page = make_procedure(body=PROCEDURE_BODY.replace("A small shot", "A small zappo shot"))
    make_term(term="Draftword", slug="draftword", status=Status.DRAFT).delete()
    assert renders == []
    term = make_term(term="Zappo", slug="zappo")
    assert len(renders) == 1
    GlossaryTerm.objects.filter(pk=term.pk).delete()
    assert len(renders) == 2
    page.refresh_from_db()
    assert "gloss" not in page.body_html
