"""Shared safety blocks: a rule written once, included by name, never restated."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from core import includes
from core.registry import registry
from editorial import loader, workflow
from editorial.content_files import ContentError
from safety.models import SafetyBlock
from tests.admin_forms import admin_url, change_url, form_data
from tests.factories import (
    PROCEDURE_BODY,
    make_block,
    make_editor,
    make_faq,
    make_procedure,
    make_reviewer,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

HELP = "### Call the clinic today\n\n- A fever."


def with_include(slug: str, extra: str = "- Your own item.") -> str:
    return PROCEDURE_BODY.replace(
        HELP, f"### Call the clinic today\n\n{{{{ include {slug} }}}}\n\n{extra}"
    )


def test_an_included_block_renders_in_place_and_joins_the_list():
    block = make_block(body="- shared item one\n- shared item two")
    page = make_procedure(body=with_include(block.slug))
    today = page.body_html.split("care-card--today")[1].split("</div>")[0]
    assert "<li>shared item one</li>\n<li>shared item two</li>\n<li>Your own item.</li>" in today
    assert "<p>" not in today.split("<ul>")[1].split("</ul>")[0]  # one tight list


def test_the_page_cites_the_blocks_sources_after_its_own():
    block = make_block(sources="FDA: A warning (2014) https://www.fda.gov/warning")
    page = make_procedure(
        body=with_include(block.slug), sources="NHS: A page (2023) https://www.nhs.uk/a"
    )
    assert [s["url"] for s in page.source_list] == [
        "https://www.nhs.uk/a",
        "https://www.fda.gov/warning",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Text\n\n{{ include no-such-block }}\n", "no published shared block"),
        ("Before {{ include test-x }} after.\n", "on a line of its own"),
    ],
)
def test_bad_includes_are_refused(body, message):
    make_block(slug="test-x")
    page = make_faq(answer="Fine.")
    page.answer = body
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert any(message in m for m in caught.value.message_dict["answer"])


def test_a_block_has_no_headings_and_includes_nothing():
    block = make_block()
    block.body = "## Heading\n\n{{ include other }}\n"
    with pytest.raises(ValidationError) as caught:
        block.full_clean()
    messages = " ".join(caught.value.message_dict["body"])
    assert "no headings" in messages and "cannot include another block" in messages


def test_a_page_stating_a_rule_itself_is_asked_to_include_the_block():
    make_block(slug="sedation", title="Sedation", watch_phrases="do not drive\ndrive ... hours")
    page = make_faq(answer="Fine.")
    page.answer = "Bring a friend.\n\nAfter sedation, you must not drive for 12 hours.\n"
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    (message,) = caught.value.message_dict["answer"]
    assert message.startswith("Line 3:") and "{{ include sedation }}" in message
    page.answer = "Bring a friend.\n\n{{ include sedation }}\n"
    page.full_clean()  # including it is the way


def test_the_loader_refuses_a_restated_rule_with_file_and_line(tmp_path):
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "sedation.md").write_text(
        "---\ntitle: Sedation\nslug: sedation\nwatch_phrases:\n- do not drive\nsources:\n"
        "- organization: NHS\n  title: General anaesthesia\n  year: 2023\n"
        "  url: https://www.nhs.uk/conditions/general-anaesthesia/\n---\n\n"
        "After sedation, do not drive for 24 hours.\n",
        encoding="utf-8",
    )
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "driver.md").write_text(
        "---\nquestion: Do I need a driver?\nslug: driver\ntopic: the-day\n---\n\n"
        "Yes.\n\nDo not drive yourself home.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        loader.load(tmp_path)
    assert [(p.path.split("/")[-1], p.line) for p in caught.value.problems] == [("driver.md", 9)]
    assert not SafetyBlock.objects.exists()  # nothing written

    (tmp_path / "faq" / "driver.md").write_text(
        "---\nquestion: Do I need a driver?\nslug: driver\ntopic: the-day\n---\n\n"
        "Yes.\n\n{{ include sedation }}\n",
        encoding="utf-8",
    )
    loader.load(tmp_path)
    faq = registry.get("faq").model.objects.get(slug="driver")
    assert "do not drive for 24 hours" in faq.answer_html


def test_publishing_a_block_change_updates_every_page_that_includes_it():
    reviewer = make_reviewer()
    block = make_block(body="- old wording")
    page = make_procedure(body=with_include(block.slug))
    other = make_procedure()
    other_html = other.body_html
    records = block.history.count()
    workflow.save(block, {"body": "- new wording"}, reviewer)
    page.refresh_from_db()
    other.refresh_from_db()
    assert "new wording" in page.body_html and "old wording" not in page.body_html
    assert other.body_html == other_html
    assert block.history.count() == records + 1  # one operation, one history record
    assert block.history.first().body == "- new wording"


def test_an_editors_change_to_a_block_waits_and_pages_keep_the_live_text():
    block = make_block(body="- live wording")
    page = make_procedure(body=with_include(block.slug))
    workflow.submit(block, {"body": "- proposed wording"}, make_editor())
    page.refresh_from_db()
    assert "live wording" in page.body_html and "proposed" not in page.body_html


def test_a_block_in_use_cannot_be_unpublished():
    block = make_block()
    make_procedure(title="Uses it", body=with_include(block.slug))
    with pytest.raises(ValidationError, match="Uses it"):
        workflow.unpublish(block, make_reviewer())
    block.refresh_from_db()
    assert block.is_published


def test_renaming_a_block_in_use_is_refused():
    block = make_block()
    make_procedure(body=with_include(block.slug))
    block.slug = "renamed"
    with pytest.raises(ValidationError, match="keep that name"):
        block.full_clean()


def test_watch_phrases_match_whole_words_with_gaps():
    pattern = includes.phrase_pattern("stop ... blood thinner")
    assert pattern.search("Do not stop taking your blood thinner.")
    assert not pattern.search("Stopwatch. A blood thinner.")  # another sentence, not the rule


# --- the real content: one statement of each rule ------------------------------------


def test_no_page_states_a_shared_rule_in_its_own_words(site_content):
    """Every published page, of every type, is clean against every block's phrases."""
    blocks = registry.block_source()
    assert len(blocks) >= 10
    restated = []
    for page_type in registry:
        if not getattr(page_type.model, "may_include", True):
            continue  # blocks themselves, glossary definitions and pathway steps state no rules
        for page in page_type.model.objects.published():
            own = includes.own_text(getattr(page, page_type.text_field))
            for block in blocks.values():
                for phrase in block.watch_phrases:
                    match = includes.phrase_pattern(phrase).search(own)
                    if match:
                        restated.append((str(page), block.slug, match.group(0)))
    assert restated == []


def test_procedures_take_their_urgent_and_preparation_rules_from_the_blocks(site_content):
    Procedure = registry.model("procedure")  # noqa: N806
    for procedure in Procedure.objects.published():
        used = includes.included(procedure.body)
        assert {"emergency-signs-any-procedure", "blood-thinners"} <= set(used), procedure.slug
        help_section = procedure.body.split("## When to get help", 1)[1]
        assert "{{ include emergency-signs" in help_section, procedure.slug
        assert procedure.body_html.count('class="care-card ') == 3, procedure.slug


# --- through the admin: an editor proposes, a reviewer publishes ------------------------


def test_an_editor_proposes_a_block_change_and_a_reviewer_publishes_it(client):
    block = make_block(body="- call us if it is red")
    page = make_procedure(body=with_include(block.slug))
    editor, reviewer = Client(), Client()
    editor.force_login(make_editor())
    reviewer.force_login(make_reviewer())
    url = change_url(block)
    assert editor.get(admin_url(SafetyBlock, "changelist")).status_code == 200
    data = form_data(editor.get(url), body="- call us if it is red or hot")
    assert editor.post(url, data).status_code == 302
    waiting = workflow.waiting_change(block)
    assert waiting is not None and waiting.body == "- call us if it is red or hot"
    page.refresh_from_db()
    assert "red or hot" not in page.body_html  # patients still see the live rule

    workflow.publish(block, User.objects.get(pk=reviewer.session["_auth_user_id"]))
    page.refresh_from_db()
    assert "red or hot" in page.body_html


def test_a_restated_rule_is_refused_in_the_admin_form_with_the_block_to_include(client):
    make_block(slug="sedation", title="Sedation", watch_phrases="do not drive")
    page = make_procedure()
    client.force_login(make_editor())
    body = page.body.replace("Bring a driver.", "Do not drive for a day.")
    response = client.post(change_url(page), form_data(client.get(change_url(page)), body=body))
    assert response.status_code == 200  # the form again, nothing saved
    html = response.content.decode()
    assert "{{ include sedation }}" in html
    page.refresh_from_db()
    assert "Do not drive" not in page.body
