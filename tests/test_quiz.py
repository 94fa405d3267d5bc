"""Check your understanding: questions on the procedure page, answered without JavaScript."""

import re

import pytest
from django.urls import reverse

from core.pages import Status
from editorial import loader
from plans.models import Quiz, parse_questions
from procedures.sections import PROCEDURE_SECTIONS
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

QUESTIONS = """## Who decides what you do with your blood thinner?

- [ ] You decide on your own.
- [x] The clinic, with the doctor who prescribes it.

Why: Changing it on your own can be risky.
See: How to prepare

## How do you get home?

- [x] An adult drives you home.
- [ ] You walk to the bus alone.
- [ ] You ride a bike.

Why: The page says to plan for an adult to drive you home.
See: How to prepare

## Is a flare of pain for a day or 2 common?

- [x] Yes. It usually settles.
- [ ] No. It means it failed.

Why: The page says a flare is common.
See: After the procedure
"""


def make_quiz(procedure, questions=QUESTIONS, status=Status.PUBLISHED, slug=None):
    quiz = Quiz.objects.create(
        title="Check your understanding",
        slug=slug or procedure.slug,
        questions=questions,
        status=status,
    )
    quiz.procedures.set([procedure])
    return quiz


def test_questions_are_parsed():
    questions, problems = parse_questions(QUESTIONS)
    assert problems == []
    assert [q["question"] for q in questions][1] == "How do you get home?"
    assert [a["right"] for a in questions[1]["answers"]] == [True, False, False]
    assert questions[0]["see"] == "How to prepare"


@pytest.mark.parametrize(
    "change, message",
    [
        (("- [x] The clinic", "- [ ] The clinic"), "exactly one answer right"),
        (("- [ ] You walk", "- [x] You walk"), "exactly one answer right"),
        (("Why: The page says a flare is common.\n", ""), "Add a 'Why:' line"),
        (("See: After the procedure\n", ""), "Add a 'See:' line"),
        (("- [ ] No. It means it failed.\n", ""), "Give 2 to 4 answers"),
        (("- [ ] You ride a bike.", "Something else."), "Not an answer"),
    ],
)
def test_questions_that_cannot_be_read_are_refused(change, message):
    _, problems = parse_questions(QUESTIONS.replace(*change))
    assert any(message in m for _, m in problems), problems


def test_three_to_five_questions():
    two = QUESTIONS.split("## Is a flare")[0]
    assert any("3 to 5 questions" in m for _, m in parse_questions(two)[1])
    six = QUESTIONS + "\n" + QUESTIONS
    assert any("3 to 5 questions" in m for _, m in parse_questions(six)[1])


def test_the_loader_refuses_a_bad_question_with_file_and_line(tmp_path):
    make_procedure(slug="focus")
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "focus.md").write_text(
        "---\ntitle: Check your understanding\nslug: focus\nprocedures:\n- focus\n---\n\n"
        + QUESTIONS.replace("- [x] An adult", "- [ ] An adult")
    )
    with pytest.raises(loader.ContentError) as error:
        loader.load(tmp_path, dry_run=True)
    assert "quizzes/focus.md:16" in str(error.value)


def test_the_page_answers_each_question_without_javascript(client):
    procedure = make_procedure(slug="focus")
    make_quiz(procedure)
    html = client.get(procedure.get_absolute_url()).content.decode()
    section = html.split('<section class="quiz"')[1].split("</section>")[0]
    assert section.count("<details") == 3 and section.count("<summary>") == 3
    assert "<script" not in section and "<form" not in section
    assert "The answer is B:</strong> The clinic, with the doctor who prescribes it." in section
    assert "The answer is A:</strong> An adult drives you home." in section
    assert "Why:</strong> Changing it on your own can be risky." in section
    assert section.count("Ask your doctor or nurse about it") == 3
    assert 'href="#how-to-prepare">Read “How to prepare”</a>' in section
    assert 'href="#after-the-procedure">' in section
    assert 'href="#check-focus">Check your understanding</a>' in html  # in "On this page"
    assert "css/quiz.css" in html


def test_drafts_and_other_procedures_questions_are_never_shown(client):
    procedure = make_procedure(slug="focus")
    other = make_procedure(slug="other")
    make_quiz(procedure, status=Status.DRAFT)
    make_quiz(other, questions=QUESTIONS.replace("How do you get home?", "Other page?"))
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert 'class="quiz"' not in html and "css/quiz.css" not in html
    assert "Other page?" in client.get(other.get_absolute_url()).content.decode()
    # A draft procedure stays hidden, questions or not.
    draft = make_procedure(slug="draft-page", status=Status.DRAFT)
    make_quiz(draft, slug="draft-quiz")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_questions_add_one_query_whatever_their_number(client, django_assert_num_queries):
    # The page + 5 prefetches (the 5th: questions); no FAQs here, so no FAQ count query.
    procedure = make_procedure(slug="focus")
    with django_assert_num_queries(6):
        client.get(procedure.get_absolute_url())
    make_quiz(procedure)
    make_quiz(procedure, slug="second")
    with django_assert_num_queries(6):
        html = client.get(procedure.get_absolute_url()).content.decode()
    assert html.count('<section class="quiz"') == 2


def test_every_procedure_has_three_to_five_questions_traceable_to_its_page(site_content, client):
    from procedures.models import Procedure

    for procedure in Procedure.objects.published():
        quizzes = list(Quiz.objects.published().filter(procedures=procedure))
        assert len(quizzes) == 1, procedure.slug
        questions = quizzes[0].questions_json
        assert 3 <= len(questions) <= 5, procedure.slug
        titles = [item["title"].lower() for item in procedure.toc]
        for question in questions:
            see = question["see"].lower()
            assert any(t.startswith(see) for t in titles), (procedure.slug, question["see"])
            assert see in [s.lower() for s in PROCEDURE_SECTIONS] + ["what it is"]
        html = client.get(procedure.get_absolute_url()).content.decode()
        section = html.split('<section class="quiz"')[1].split("</section>")[0]
        assert section.count("<details") == len(questions)
        assert 'href=""' not in section
        assert not re.search(r"\{\{|\[x\]|\[ \]", section)


def test_the_admin_lists_both_page_types(admin_client):
    for name in ("plans_prepplan", "plans_quiz"):
        response = admin_client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200
