"""Preparation steps and check-your-understanding questions, one file per procedure.

Both are pages in the editorial workflow (History, review, the loader and export):
staff write them as short Markdown in a fixed shape, checked line by line, and the
site shows the parsed steps and questions (``steps_json``, ``questions_json``).
"""

from __future__ import annotations

import re

from django.db import models
from django.urls import reverse

from core import markdown
from core.pages import PageQuerySet, PublishableModel, ReviewedModel
from core.registry import registry
from editorial.history import PageHistory


class Condition(models.TextChoices):
    """When a step applies: always, or only when the patient ticked the matching box."""

    ALWAYS = "always", "Everyone"
    BLOOD_THINNER = "blood-thinner", "I take a blood thinner"
    DIABETES = "diabetes", "I take medicine for diabetes"
    WEIGHT_LOSS = "weight-loss-injection", "I take a weekly weight-loss injection (GLP-1)"
    SEDATION = "sedation", "I will have sedation (medicine to help me relax)"


# The tag written at the start of a step: "- [blood thinner] Follow the plan ..."
CONDITION_TAGS = {
    "blood thinner": Condition.BLOOD_THINNER,
    "diabetes": Condition.DIABETES,
    "weight-loss injection": Condition.WEIGHT_LOSS,
    "sedation": Condition.SEDATION,
}


class Period(models.TextChoices):
    """The parts of the plan, in order."""

    WEEK_BEFORE = "week-before", "In the week before"
    DAY_BEFORE = "day-before", "The day before"
    MORNING = "morning", "The morning of your procedure"
    FIRST_DAY = "first-day", "The first 24 hours"
    TWO_WEEKS = "two-weeks", "The next two weeks"
    FOLLOW_UP = "follow-up", "Your follow-up"


PERIOD_ORDER = [value for value, _ in Period.choices]
MAX_DAYS_BEFORE = 30
MAX_DAYS_AFTER = 90

_TIMING = re.compile(
    r"(?P<before>\d{1,2}) days? before"
    r"|the day before"
    r"|the morning of"
    r"|the first 24 hours"
    r"|(?P<after>\d{1,2}) days? after"
    r"|follow-up: (?P<follow>\d{1,2}) days? after",
    re.IGNORECASE,
)
_STEP = re.compile(r"^[-*]\s+(?:\[(?P<tag>[a-z -]+)\]\s+)?(?P<text>\S.*)$", re.IGNORECASE)
MAX_STEP_CHARS = 200
NO_INCLUDES = (
    "A shared block cannot be included here: name its topic in a few words "
    "(the page links to the procedure page, where the block is)."
)

STEPS_HELP = (
    "A '## ' heading for each time, then one '- ' line per step. Times: "
    "'## 7 days before' (2 to 30), '## The day before', '## The morning of', "
    "'## The first 24 hours', '## 3 days after' (1 to 30), '## Follow-up: 14 days after'. "
    "A step only for some patients starts with [blood thinner], [diabetes], "
    "[weight-loss injection] or [sedation]. Do not restate a shared safety rule: name its "
    "topic briefly (the plan links to the procedure page's sections)."
)


def inline_html(text: str) -> str:
    """One line of Markdown (clinic facts filled in) as HTML without its paragraph."""
    html = markdown.render_fragment(registry.expand(text, {})).strip()
    return html.removeprefix("<p>").removesuffix("</p>")


def _timing(title: str) -> tuple[str, int] | None:
    """``(period, day offset)`` for a heading such as "7 days before", else None."""
    match = _TIMING.fullmatch(title.strip())
    if match is None:
        return None
    lowered = title.strip().lower()
    if match["before"]:
        days = int(match["before"])
        return (Period.WEEK_BEFORE, -days) if 2 <= days <= MAX_DAYS_BEFORE else None
    if match["after"]:
        days = int(match["after"])
        return (Period.TWO_WEEKS, days) if 1 <= days <= MAX_DAYS_BEFORE else None
    if match["follow"]:
        days = int(match["follow"])
        return (Period.FOLLOW_UP, days) if 1 <= days <= MAX_DAYS_AFTER else None
    return {
        "the day before": (Period.DAY_BEFORE, -1),
        "the morning of": (Period.MORNING, 0),
        "the first 24 hours": (Period.FIRST_DAY, 0),
    }[lowered]


def parse_steps(text: str) -> tuple[list[dict], list[tuple[int, str]]]:
    """``(steps, problems)``: each step ``{period, offset, condition, text}``; problems as
    ``(line, message)`` with lines counted from 1 in ``text``."""
    steps, problems = [], []
    current: tuple[str, int] | None = None
    headings_seen = set()
    for number, raw in enumerate((text or "").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if "{{ include" in line or "{{include" in line:
            problems.append((number, NO_INCLUDES))
            continue
        if line.startswith("#"):
            if not line.startswith("## ") or line.startswith("###"):
                problems.append((number, "Use '## ' for the time headings. " + STEPS_HELP))
                current = None
                continue
            timing = _timing(line[3:])
            if timing is None:
                problems.append((number, f"'{line}' is not a time the plan knows. " + STEPS_HELP))
                current = None
                continue
            key = (PERIOD_ORDER.index(timing[0]), timing[1])
            if key in headings_seen:
                problems.append((number, f"'{line}' is given twice: put its steps together."))
            elif steps and key < max((PERIOD_ORDER.index(s["period"]), s["offset"]) for s in steps):
                problems.append((number, f"'{line}' is out of order: write the times in order."))
            headings_seen.add(key)
            current = timing
            continue
        match = _STEP.match(line)
        if match is None:
            problems.append(
                (number, "Write each step on one line starting with '- '. " + STEPS_HELP)
            )
            continue
        if current is None:
            problems.append((number, "This step has no time: put a '## ' time heading above it."))
            continue
        condition = Condition.ALWAYS
        if match["tag"] is not None:
            tag = match["tag"].strip().lower()
            if tag not in CONDITION_TAGS:
                known = ", ".join(f"[{name}]" for name in CONDITION_TAGS)
                problems.append((number, f"Unknown condition [{match['tag']}]: use {known}."))
                continue
            condition = CONDITION_TAGS[tag]
        step_text = match["text"].strip()
        if len(step_text) > MAX_STEP_CHARS:
            problems.append(
                (number, f"This step is {len(step_text)} characters; at most {MAX_STEP_CHARS}.")
            )
            continue
        steps.append(
            {
                "period": str(current[0]),
                "offset": current[1],
                "condition": str(condition),
                "text": step_text,
                "html": inline_html(step_text),
            }
        )
    if not steps and not problems:
        problems.append((1, "Write at least one step. " + STEPS_HELP))
    return steps, problems


QUESTIONS_HELP = (
    "Each question: a '## ' line with the question, then 2 to 4 answers as '- [ ] wrong' "
    "and exactly one '- [x] right', then 'Why: ' with the reason from the page, then "
    "'See: ' and the section of the procedure page that says so (e.g. 'See: How to "
    "prepare'). 3 to 5 questions."
)
_ANSWER = re.compile(r"^[-*]\s+\[(?P<mark>[ xX])\]\s+(?P<text>\S.*)$")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5


def parse_questions(text: str) -> tuple[list[dict], list[tuple[int, str]]]:
    """``(questions, problems)``: each ``{question, answers: [{text, right}], why, see}``."""
    questions: list[dict] = []
    problems: list[tuple[int, str]] = []
    starts: list[int] = []
    for number, raw in enumerate((text or "").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if "{{ include" in line or "{{include" in line:
            problems.append((number, NO_INCLUDES))
            continue
        if line.startswith("#"):
            if not line.startswith("## ") or line.startswith("###"):
                problems.append((number, "Use '## ' for each question. " + QUESTIONS_HELP))
                continue
            questions.append({"question": line[3:].strip(), "answers": [], "why": "", "see": ""})
            starts.append(number)
            continue
        if not questions:
            problems.append((number, "Start with a question on a '## ' line. " + QUESTIONS_HELP))
            continue
        current = questions[-1]
        answer = _ANSWER.match(line)
        if answer:
            current["answers"].append(
                {
                    "text": answer["text"].strip(),
                    "html": inline_html(answer["text"].strip()),
                    "right": answer["mark"] != " ",
                }
            )
        elif line.lower().startswith("why:") and not current["why"]:
            current["why"] = line[4:].strip()
            current["why_html"] = inline_html(current["why"])
        elif line.lower().startswith("see:") and not current["see"]:
            current["see"] = line[4:].strip()
        else:
            problems.append((number, "Not an answer, 'Why:' or 'See:' line. " + QUESTIONS_HELP))
    for question, start in zip(questions, starts, strict=True):
        answers = question["answers"]
        if not 2 <= len(answers) <= 4:
            problems.append((start, f"Give 2 to 4 answers (found {len(answers)})."))
        if sum(a["right"] for a in answers) != 1:
            problems.append((start, "Mark exactly one answer right with '- [x]'."))
        if not question["why"]:
            problems.append((start, "Add a 'Why:' line: the reason, as the page gives it."))
        if not question["see"]:
            problems.append((start, "Add a 'See:' line: the section of the page that says so."))
        for key in ("question", "why", "see"):
            if len(question[key]) > MAX_STEP_CHARS:
                problems.append((start, f"The '{key}' text is longer than {MAX_STEP_CHARS}."))
    if not problems and not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        problems.append(
            (1, f"Write {MIN_QUESTIONS} to {MAX_QUESTIONS} questions (found {len(questions)}).")
        )
    return questions, problems


def body_checker(parse):
    """A ``PageType.check_body``: the parser's problems at their line in the file."""

    def check(body: str, first_line: int) -> list[tuple[int, str]]:
        return [(first_line + line - 1, message) for line, message in parse(body)[1]]

    return check


class ForProcedureQuerySet(PageQuerySet):
    pass


class ParsedForProcedure(PublishableModel, ReviewedModel):
    """What steps and questions share: a text in a small format of its own, parsed on
    save (``parse`` gives the items and the problems by line) and shown for procedures.
    Subclasses name their fields: ``text_field``, ``json_field`` and ``html_field``."""

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @staticmethod
    def parse(text: str) -> tuple[list[dict], list[tuple[int, str]]]:
        raise NotImplementedError

    def text_problems(self) -> list[str]:
        text = getattr(self, self.text_field)
        return [f"Line {line}: {message}" for line, message in self.parse(text)[1]]

    def render(self):
        text = getattr(self, self.text_field)
        setattr(self, self.json_field, self.parse(text)[0])
        setattr(self, self.html_field, markdown.render_fragment(registry.expand(text, {})))

    def save(self, *args, **kwargs):
        self.fill_review_due()
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)

    def search_document(self) -> dict:
        return {"title": self.title, "also_called": "", "summary": "", "body": ""}


class PrepPlan(ParsedForProcedure):
    """The preparation and recovery steps of one procedure, each with its day."""

    # Watch phrases are checked (a step never restates a shared rule); an include line
    # is refused by the parser: a step names the rule's topic and the plan links to it.
    title = models.CharField(
        max_length=150, help_text='e.g. "Epidural steroid injection: your plan".'
    )
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Usually the procedure's slug (the file name)."
    )
    procedures = models.ManyToManyField(
        "procedures.Procedure",
        related_name="prep_plans",
        help_text="The procedures these steps are for (usually one).",
    )
    steps = models.TextField(help_text=STEPS_HELP)
    steps_json = models.JSONField(default=list, editable=False, blank=True)
    steps_html = models.TextField(editable=False, blank=True)

    objects = ForProcedureQuerySet.as_manager()
    history = PageHistory()

    text_field = "steps"
    json_field = "steps_json"
    html_field = "steps_html"  # for the admin's preview; the plan shows the parsed steps
    derived_fields = ("steps_json", "steps_html")
    parse = staticmethod(parse_steps)

    class Meta:
        verbose_name = "preparation steps"
        verbose_name_plural = "preparation steps"
        ordering = ["order", "title"]

    def get_absolute_url(self):
        """Where patients see it: the plan of its first procedure."""
        if self.pk is None:
            return ""
        first = self.procedures.order_by("order", "title").first()
        return f"{reverse('plans:plan')}?procedure={first.slug}" if first else ""


class Quiz(ParsedForProcedure):
    """Check-your-understanding questions shown on a procedure page."""

    title = models.CharField(max_length=150, help_text='e.g. "Check your understanding".')
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Usually the procedure's slug (the file name)."
    )
    procedures = models.ManyToManyField(
        "procedures.Procedure",
        related_name="quizzes",
        help_text="The procedure pages that show these questions (usually one).",
    )
    questions = models.TextField(help_text=QUESTIONS_HELP)
    questions_json = models.JSONField(default=list, editable=False, blank=True)
    questions_html = models.TextField(editable=False, blank=True)

    objects = ForProcedureQuerySet.as_manager()
    history = PageHistory()

    text_field = "questions"
    json_field = "questions_json"
    html_field = "questions_html"
    derived_fields = ("questions_json", "questions_html")
    parse = staticmethod(parse_questions)

    class Meta:
        verbose_name = "check-your-understanding questions"
        verbose_name_plural = "check-your-understanding questions"
        ordering = ["order", "title"]

    def get_absolute_url(self):
        if self.pk is None:
            return ""
        first = self.procedures.order_by("order", "title").first()
        return f"{first.get_absolute_url()}#check-{self.slug}" if first else ""
