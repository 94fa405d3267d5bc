"""One validator for the content format: what a content file cannot hold, the admin,
restore and the workflow refuse too (clear message, nothing changed), and the
other way round."""

import pytest
from django.core.exceptions import ValidationError

from core.pages import Status
from editorial import loader, workflow
from editorial.content_files import ContentError
from procedures.models import Procedure
from tests.admin_forms import change_url, form_data
from tests.factories import make_procedure, make_reviewer
from tests.test_loader import PROCEDURE, write_set

pytestmark = pytest.mark.django_db

BAD = [
    ("title", "A title\n---\nwith a line break", "Write this on one line."),
    ("also_called", "x" * 201, "at most 200 on a line"),
    ("sources", "A title with no organization", "write each source on one line as"),
    ("body", "- " * 40 + "deep", "nested"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_the_admin_refuses_what_a_content_file_cannot_hold(client, field, value, message):
    page = make_procedure(status=Status.DRAFT)
    before = (page.version, page.history.count())
    client.force_login(make_reviewer())
    response = client.post(
        change_url(page), form_data(client.get(change_url(page)), **{field: value})
    )
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    page.refresh_from_db()
    assert (page.version, page.history.count()) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD[:3])
def test_the_workflow_refuses_it_on_every_route(field, value, message):
    page = make_procedure(status=Status.PUBLISHED)
    with pytest.raises(ValidationError, match="(?i)" + message.split("'")[0][:20]):
        workflow.save(page, {**workflow.live_values(page), field: value}, make_reviewer())
    page.refresh_from_db()
    assert getattr(page, field) != value


def test_restoring_a_version_whose_slug_is_now_taken_is_refused_not_a_500():
    first = make_procedure(slug="first-page")
    old = first.history.latest()
    first.slug = "renamed-page"
    first.save()
    make_procedure(slug="first-page")
    with pytest.raises(ValidationError, match="slug"):
        workflow.restore(first, old, make_reviewer())
    first.refresh_from_db()
    assert first.slug == "renamed-page"


def test_publishing_two_waiting_changes_that_set_one_slug_refuses_the_second():
    a = make_procedure(status=Status.PUBLISHED, slug="page-a")
    b = make_procedure(status=Status.PUBLISHED, slug="page-b")
    workflow.submit(a, {**workflow.live_values(a), "slug": "same-slug"}, None)
    workflow.submit(b, {**workflow.live_values(b), "slug": "same-slug"}, None)
    reviewer = make_reviewer()
    workflow.publish(a, reviewer)
    with pytest.raises(ValidationError, match="slug"):
        workflow.publish(b, reviewer)
    assert Procedure.objects.get(pk=b.pk).slug == "page-b"


def test_the_loader_refuses_a_line_break_in_a_one_line_field(tmp_path):
    text = PROCEDURE.replace("summary: ", "summary: |\n  First line.\n  Second line. ", 1)
    with pytest.raises(ContentError) as caught:
        loader.load(write_set(tmp_path, **{"procedures/test-block.md": text}))
    assert "'summary': Write this on one line." in str(caught.value)
    assert not Procedure.objects.filter(slug="test-block").exists()
