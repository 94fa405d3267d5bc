"""The Markdown editor's helpers in the admin: the content-rules check, the image, page,
number and block pickers (staff-only JSON), and the rules they show, which are the
same that saving, publishing and the loader apply."""

import pytest
from django.core.exceptions import ValidationError

from core.pages import Status, publish_problems, text_problems
from core.readability import long_sentence_lines, long_sentences, sentence_lines
from editorial import loader, workflow
from editorial.content_files import ContentError
from faq.models import FAQ
from glossary.models import GlossaryTerm
from procedures.models import Condition, Procedure
from safety.models import SafetyBlock
from tests.admin_forms import admin_url, change_url, form_data
from tests.factories import (
    PROCEDURE_BODY,
    make_block,
    make_condition,
    make_editor,
    make_faq,
    make_figure,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)
from tests.test_loader import PROCEDURE, write_set

pytestmark = pytest.mark.django_db

LONG = (
    "Notwithstanding the considerable variability between individuals, this injection may "
    "reduce your pain for several weeks or months after the procedure is finished."
)  # 24 words
LONG_WORDS = len(LONG.split())


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def check(client, model, text, **extra):
    response = client.post(admin_url(model, "editor_check"), {"text": text, **extra})
    assert response.status_code == 200, response.content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.json()


# --- sentences with their lines ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        PROCEDURE_BODY,
        f"## A\n\nShort one. {LONG}\n\n- item one\n- {LONG}",
        f"You may need:\n- {LONG}\n\n### {LONG}\n\n## {LONG}\n\n"
        f"| a | b |\n|---|---|\n| {LONG} | x |",
        "",
    ],
)
def test_sentences_with_lines_are_the_sentences_the_gate_reads(text):
    assert [s for _, s in long_sentence_lines(text)] == long_sentences(text)
    lines = text.split("\n")
    for line, sentence in sentence_lines(text):
        first_word = sentence.split()[0].strip("*_[.")
        assert first_word in lines[line - 1]


def test_a_long_sentence_is_found_at_its_line():
    text = f"## What it is\n\nA short one.\n\nThe next line. {LONG}"
    assert long_sentence_lines(text) == [(5, LONG)]


# --- the check endpoint -------------------------------------------------------------------


def test_the_check_returns_each_problem_with_its_line_and_quote(client):
    make_block(
        slug="blood-thinners", title="Blood thinners", watch_phrases="stop ... blood thinner"
    )
    client.force_login(make_editor())
    text = (
        "## What it is\n\n"
        f"{LONG}\n\n"
        "Call 555-0100 to ask.\n\n"
        "Please stop your blood thinner first.\n\n"
        "{{ phon }}\n\n"
        "{{ include no-such-block }}\n"
    )
    data = check(client, Condition, text)
    by_rule = {}
    for problem in data["problems"]:
        assert set(problem) == {"line", "message", "quote", "rule", "blocks"}
        by_rule.setdefault(problem["rule"], []).append(problem)
    sentence = by_rule["sentence"][0]
    assert (sentence["line"], sentence["quote"], sentence["blocks"]) == (3, LONG, "save")
    assert f"{LONG_WORDS} words; at most 20" in sentence["message"]
    assert (5, "555-0100") in [(p["line"], p["quote"]) for p in by_rule["number"]]
    names = {(p["line"], p["quote"]) for p in by_rule["names"]}
    assert (7, "stop your blood thinner") in names  # a restated shared rule
    assert (9, "{{ phon }}") in names
    assert any(p["line"] == 11 and "no published shared block" in p["message"]
               for p in by_rule["names"])  # fmt: skip
    assert data["counts"]["save"] == sum(p["blocks"] == "save" for p in data["problems"])


def test_the_check_reports_exactly_what_saving_refuses(client):
    """Every "save" problem the check lists is in the form's errors, at its line."""
    page = make_condition(status=Status.DRAFT)
    client.force_login(make_editor())
    text = f"## What it is\n\nFine words.\n\n{LONG}\n\nOur number is 555-0100.\n"
    data = check(client, Condition, text, object_id=page.pk)
    refused = [p for p in data["problems"] if p["blocks"] == "save"]
    assert len(refused) == 2
    response = client.post(change_url(page), form_data(client.get(change_url(page)), body=text))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert errors == [f"Line {p['line']}: {p['message']}" for p in refused]
    page.refresh_from_db()
    assert LONG not in page.body


def test_a_procedure_is_told_its_missing_sections_and_grades(client):
    client.force_login(make_editor())
    data = check(client, Procedure, "## What it is\n\nA small shot near a nerve.\n")
    sections = [p for p in data["problems"] if p["rule"] == "sections"]
    assert sections and all(p["blocks"] == "publish" for p in sections)
    assert any("## At a glance" in p["message"] for p in sections)
    hard = "## What it is\n\nNotwithstanding interindividual variability, epidemiological investigations demonstrate multifactorial pathophysiology.\n"  # noqa: E501
    grades = [p for p in check(client, Condition, hard)["problems"] if p["rule"] == "grade"]
    assert grades and {p["blocks"] for p in grades} == {"advice"}
    assert grades[0]["line"] == 1 and "What it is" in grades[0]["message"]


def test_a_clean_text_has_no_problems(client):
    client.force_login(make_editor())
    data = check(client, Procedure, PROCEDURE_BODY)
    assert data["problems"] == []
    assert data["counts"] == {"save": 0, "publish": 0, "advice": 0}


def test_a_block_is_told_it_cannot_include_or_have_headings(client):
    client.force_login(make_editor())
    data = check(client, SafetyBlock, "## Heading\n\n{{ include other }}\n")
    messages = " ".join(p["message"] for p in data["problems"])
    assert "cannot include another block" in messages and "no headings" in messages


@pytest.mark.parametrize("name", ["editor_check", "editor_images", "editor_pages", "editor_names"])
def test_the_editor_endpoints_are_for_staff_who_may_edit(client, name):
    url = admin_url(FAQ, name)
    post = name == "editor_check"
    send = client.post if post else client.get
    assert send(url, {"text": "x"} if post else {}).status_code == 302  # to the sign-in
    client.force_login(make_user())  # signed in, not staff
    assert send(url, {"text": "x"} if post else {}).status_code == 302
    client.force_login(make_user(staff=True))  # staff without the right to edit FAQs
    assert send(url, {"text": "x"} if post else {}).status_code == 403
    client.force_login(make_user(staff=True, perms=["faq.view_faq"]))  # may only look
    assert send(url, {"text": "x"} if post else {}).status_code == 403
    client.force_login(make_editor())
    assert send(url, {"text": "x"} if post else {}).status_code == 200


def test_the_check_is_post_only_and_csrf_protected(client):
    from django.test import Client

    client.force_login(make_editor())
    assert client.get(admin_url(FAQ, "editor_check")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_editor())
    assert strict.post(admin_url(FAQ, "editor_check"), {"text": "x"}).status_code == 403


# --- the pickers ---------------------------------------------------------------------------


def test_the_image_picker_lists_images_with_thumbnails_and_alt_text(client, media_root):
    make_figure("spine-diagram", alt="A drawing of the spine", caption="The spine")
    make_figure("decor", alt="", decorative=True)
    client.force_login(make_editor())
    images = client.get(admin_url(Procedure, "editor_images")).json()["images"]
    spine = next(i for i in images if i["key"] == "spine-diagram")
    assert spine["alt"] == "A drawing of the spine"
    assert spine["markdown"] == "![A drawing of the spine](images/spine-diagram)"
    assert spine["thumbnail"].startswith("/media/figures/renditions/")
    assert client.get(spine["thumbnail"]).status_code == 200
    decor = next(i for i in images if i["key"] == "decor")
    assert decor["decorative"] and decor["markdown"] == "![](images/decor)"
    found = client.get(admin_url(Procedure, "editor_images"), {"q": "drawing"}).json()["images"]
    assert [i["key"] for i in found] == ["spine-diagram"]


def test_an_inserted_image_reference_is_accepted_on_save(client, media_root):
    make_figure("needle-angle", alt="The needle's angle")
    page = make_procedure(status=Status.DRAFT)
    client.force_login(make_editor())
    image = client.get(admin_url(Procedure, "editor_images")).json()["images"][0]
    body = page.body.replace("A small shot near a nerve.", f"A small shot.\n\n{image['markdown']}")
    response = client.post(change_url(page), form_data(client.get(change_url(page)), body=body))
    assert response.status_code == 302
    page.refresh_from_db()
    assert "The needle&#x27;s angle" in page.body_html or "The needle's angle" in page.body_html


def test_the_page_picker_lists_published_pages_with_their_addresses(client):
    procedure = make_procedure(title="Nerve block", slug="nerve-block")
    make_procedure(title="Hidden draft", slug="hidden-draft", status=Status.DRAFT)
    make_condition(title="Sciatica", slug="sciatica")
    make_faq(question="Can I drive home?", slug="can-i-drive-home")
    make_term(term="Epidural", slug="epidural")
    client.force_login(make_editor())
    pages = client.get(admin_url(FAQ, "editor_pages")).json()["pages"]
    by_title = {p["title"]: p for p in pages}
    assert (
        by_title["Nerve block"]["url"] == procedure.get_absolute_url() == "/procedures/nerve-block/"
    )
    assert by_title["Nerve block"]["markdown"] == "[Nerve block](/procedures/nerve-block/)"
    assert by_title["Sciatica"]["url"] == "/conditions/sciatica/"
    assert by_title["Can I drive home?"]["url"] == "/faq/#can-i-drive-home"
    assert by_title["Epidural"]["url"] == "/glossary/#epidural"
    assert "Hidden draft" not in by_title
    assert not any(p["kind"].lower().startswith("shared") for p in pages)
    found = client.get(admin_url(FAQ, "editor_pages"), {"q": "sciat"}).json()["pages"]
    assert [p["title"] for p in found] == ["Sciatica"]


def test_link_text_is_escaped(client):
    make_faq(question="What is [this]?", slug="what-is-this")
    client.force_login(make_editor())
    page = client.get(admin_url(FAQ, "editor_pages")).json()["pages"][0]
    assert page["markdown"] == r"[What is \[this\]?](/faq/#what-is-this)"


def test_the_names_are_the_clinic_facts_and_published_blocks(client):
    make_block(slug="blood-thinners", title="Blood thinners")
    make_block(slug="draft-rule", title="Draft rule", status=Status.DRAFT)
    client.force_login(make_editor())
    data = client.get(admin_url(Procedure, "editor_names")).json()
    from core.includes import FACT_NAMES

    assert [f["name"] for f in data["facts"]] == list(FACT_NAMES)
    phone = next(f for f in data["facts"] if f["name"] == "phone")
    assert phone["markdown"] == "{{ phone }}" and phone["label"] == "Clinic phone number"
    assert [b["slug"] for b in data["blocks"]] == ["blood-thinners"]
    assert data["blocks"][0]["markdown"] == "{{ include blood-thinners }}"
    # A block cannot include another block: its editor offers none.
    assert client.get(admin_url(SafetyBlock, "editor_names")).json()["blocks"] == []


def test_the_change_form_carries_the_editor(client):
    page = make_procedure()
    client.force_login(make_editor())
    html = client.get(change_url(page)).content.decode()
    assert 'id="markdown-editor-config"' in html
    assert f'data-check-url="{admin_url(Procedure, "editor_check")}"' in html
    assert f'data-object-id="{page.pk}"' in html
    assert "js/admin-editor.js" in html and "css/admin-editor.css" in html
    assert 'data-site-css="/static/css/site.css"' in html


# --- refused on save, on publish and by the loader ------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [(make_condition, "body"), (make_faq, "answer"), (make_term, "definition"),
     (make_block, "body")],
)  # fmt: skip
def test_a_long_sentence_is_refused_on_save_in_every_markdown_field(client, make, field):
    obj = make(status=Status.DRAFT)
    client.force_login(make_reviewer())
    response = client.post(change_url(obj), form_data(client.get(change_url(obj)), **{field: LONG}))
    assert response.status_code == 200
    assert f"Line 1: This sentence has {LONG_WORDS} words; at most 20" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) != LONG


def test_a_long_summary_is_refused_too(client):
    page = make_condition(status=Status.DRAFT)
    client.force_login(make_reviewer())
    response = client.post(
        change_url(page), form_data(client.get(change_url(page)), summary=LONG[:199])
    )
    assert response.status_code == 200
    assert "at most 20" in str(response.context["adminform"].form.errors.get("summary"))


def test_the_workflow_refuses_to_publish_a_draft_that_breaks_a_hard_rule(client):
    # A draft written before the rule existed (its text never went through a save).
    page = make_condition(status=Status.DRAFT, body=f"## What it is\n\n{LONG}")
    with pytest.raises(ValidationError, match="at most 20"):
        workflow.publish(page, make_reviewer())
    assert Condition.objects.get(pk=page.pk).status == Status.DRAFT
    client.force_login(make_reviewer())
    review = client.post(
        admin_url(Condition, "changelist"),
        {"action": "publish_selected", "_selected_action": [page.pk]},
        follow=True,
    )
    assert "at most 20" in review.content.decode()
    assert Condition.objects.get(pk=page.pk).status == Status.DRAFT


def test_a_reviewer_cannot_publish_a_procedure_without_its_sections(client):
    page = make_procedure(status=Status.DRAFT, body="## What it is\n\nA small shot.")
    reviewer = make_reviewer()
    with pytest.raises(ValidationError, match="Not published.*Missing section '## At a glance'"):
        workflow.publish(page, reviewer)
    assert Procedure.objects.get(pk=page.pk).status == Status.DRAFT
    # An editor may keep a half-written draft; the form says what publishing needs.
    client.force_login(reviewer)
    data = form_data(client.get(change_url(page)), status=Status.PUBLISHED)
    response = client.post(change_url(page), data)
    assert response.status_code == 200
    assert "Not published: patients&#x27; pages must keep this rule. Line 1: Missing section" in (
        response.content.decode()
    )
    assert Procedure.objects.get(pk=page.pk).status == Status.DRAFT
    # The list action says so too, and publishes nothing.
    response = client.post(
        admin_url(Procedure, "changelist"),
        {"action": "publish_selected", "_selected_action": [page.pk]},
        follow=True,
    )
    assert "Missing section" in response.content.decode()
    assert Procedure.objects.get(pk=page.pk).status == Status.DRAFT


def test_an_editor_may_save_a_draft_procedure_that_is_not_finished(client):
    page = make_procedure(status=Status.DRAFT)
    client.force_login(make_editor())
    data = form_data(client.get(change_url(page)), body="## What it is\n\nStill writing.")
    assert client.post(change_url(page), data).status_code == 302
    assert Procedure.objects.get(pk=page.pk).body == "## What it is\n\nStill writing."


def test_the_loader_refuses_a_long_sentence_at_its_line(tmp_path):
    text = PROCEDURE.replace("A small shot near a nerve.", LONG, 1)
    assert text != PROCEDURE
    with pytest.raises(ContentError) as caught:
        loader.load(write_set(tmp_path, **{"procedures/test-block.md": text}))
    line = text.split("\n").index(next(x for x in text.split("\n") if LONG in x)) + 1
    assert f"procedures/test-block.md:{line}: This sentence has {LONG_WORDS} words" in str(
        caught.value
    )


def test_problems_of_a_page_object_match_the_endpoint():
    page = Condition(body=f"## What it is\n\n{LONG}")
    assert [(p.line, p.rule) for p in text_problems(page)] == [(3, "sentence")]
    assert publish_problems(Condition(body="## What it is\n\nA short text.")) == []
    assert GlossaryTerm.text_field == "definition"


def test_a_bracketed_medical_term_missing_from_the_glossary_is_advised():
    make_term(term="Fluoroscopy")
    page = Condition(body="## What it is\n\nA live X-ray (fluoroscopy) and a nerve (radiculon).")
    advice = [p for p in publish_problems(page) if p.rule == "glossary"]
    assert [(p.line, p.quote, p.blocks) for p in advice] == [(3, "radiculon", "advice")]
