import re

from django.db import models

from core import markdown
from core.links import slug_url, view_url
from core.pages import ArticleModel, PageQuerySet, PublishableModel
from core.registry import registry
from core.search_text import plain_text
from editorial.history import PageHistory
from faq.models import FAQ
from plans.models import PrepPlan, Quiz


class Area(models.Model):
    """A part of the body, for "Find by where it hurts"."""

    slug = models.SlugField(unique=True)
    name = models.CharField(
        max_length=80, help_text='As a patient would say it, e.g. "Lower back".'
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="One short line shown under the name."
    )
    order = models.PositiveIntegerField(default=100, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return view_url("procedures:where_it_hurts") + f"#{self.slug}"


class ConditionQuerySet(PageQuerySet):
    def for_list(self):
        return self.published().order_by("order", "title")

    def for_detail(self):
        return self.prefetch_related(
            "areas",
            models.Prefetch(
                "procedures",
                queryset=Procedure.objects.published()
                .order_by("order", "title")
                .only("pk", "slug", "title", "summary", "kind"),
                to_attr="published_procedures",
            ),
        )


class Condition(ArticleModel):
    title = models.CharField(max_length=150, help_text="The plain name a patient would use.")
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Part of the page address. Changing it breaks links."
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="conditions", help_text="Where it hurts."
    )

    objects = ConditionQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("conditions:detail", self.slug)

    def search_document(self) -> dict:
        return {
            "title": self.title,
            "also_called": self.also_called,
            "summary": self.summary,
            "body": plain_text(self.body_html),
        }


class Kind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", "Diagnostic (a test to find the source of pain)"
    TREATMENT = "treatment", "Treatment"
    BOTH = "both", "Diagnostic and treatment"
    DEVICE = "device", "Implanted device"


class ProcedureQuerySet(PageQuerySet):
    def for_list(self):
        return self.published().order_by("order", "title")

    def for_detail(self):
        # Whether a plan can be made (published preparation steps): in the page's own query.
        has_plan = models.Exists(
            PrepPlan.objects.published().filter(procedures=models.OuterRef("pk"))
        )
        return self.annotate(has_plan=has_plan).prefetch_related(
            models.Prefetch(
                "conditions",
                queryset=Condition.objects.published()
                .order_by("order", "title")
                .only("pk", "slug", "title", "summary"),
                to_attr="published_conditions",
            ),
            models.Prefetch(
                "related",
                queryset=Procedure.objects.published()
                .order_by("order", "title")
                .only("pk", "slug", "title", "summary", "kind"),
                to_attr="published_related",
            ),
            models.Prefetch(
                "faqs",
                queryset=FAQ.objects.published()
                .order_by("topic", "order", "question")
                .only("pk", "slug", "question", "answer_html", "topic", "order"),
                to_attr="published_faqs",
            ),
            models.Prefetch(
                "quizzes",
                queryset=Quiz.objects.published()
                .order_by("order", "title")
                .only("pk", "slug", "title", "questions_json"),
                to_attr="published_quizzes",
            ),
            models.Prefetch(
                "pathways",
                queryset=Pathway.objects.published()
                .order_by("order", "title")
                .only("pk", "slug", "title", "intro", "steps_json"),
                to_attr="published_pathways",
            ),
        )


class Procedure(ArticleModel):
    title = models.CharField(max_length=150, help_text="The plain name a patient would use.")
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Part of the page address. Changing it breaks links."
    )
    main_message = models.CharField(
        max_length=300, help_text="One sentence: the single thing a patient should take away."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TREATMENT)
    used_for = models.CharField("what it is used for", max_length=300)
    duration = models.CharField("how long it takes", max_length=200)
    sedation = models.CharField(
        "awake or sedated", max_length=200, help_text="Whether the patient is awake or sedated."
    )
    driver = models.CharField(
        "driver needed", max_length=200, help_text="Whether someone must drive the patient home."
    )
    relief_starts = models.CharField("when relief may start", max_length=200)
    relief_lasts = models.CharField("how long relief may last", max_length=200)
    conditions = models.ManyToManyField(
        Condition,
        blank=True,
        related_name="procedures",
        help_text="Conditions this procedure may help.",
    )
    related = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="related_from",
        help_text="Other procedures to suggest on this page.",
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="procedures", help_text="Where it hurts."
    )

    objects = ProcedureQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("procedures:detail", self.slug)

    def search_document(self) -> dict:
        glance = " ".join(f"{label}: {value.rstrip('.')}." for label, value in self.at_a_glance)
        return {
            "title": self.title,
            "also_called": self.also_called,
            "summary": f"{self.summary} {self.main_message}",
            "body": f"{glance} {plain_text(self.body_html)}",
        }

    @property
    def at_a_glance(self) -> list[tuple[str, str]]:
        return [
            ("What it is used for", self.used_for),
            ("Type", self.get_kind_display()),
            ("How long it takes", self.duration),
            ("Awake or sedated", self.sedation),
            ("Driver needed", self.driver),
            ("When relief may start", self.relief_starts),
            ("How long relief may last", self.relief_lasts),
        ]


STEP_LINE = re.compile(
    r"^\d+\.\s+\*\*(?P<title>[^*\n]+?)\*\*(?:\s+\((?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\))?:"
    r"\s+(?P<text>\S.*)$"
)
STEP_HELP = (
    "One step per line, in order: '1. **Step title** (procedure-slug): What happens.' "
    "The procedure in brackets is optional; its page is linked when it is published."
)


class PathwayQuerySet(PageQuerySet):
    pass


class Pathway(PublishableModel):
    """The usual steps from one procedure to the next, shown on the procedures it names."""

    may_include = False  # steps are one line each: no room for a shared block

    title = models.CharField(max_length=150, help_text='e.g. "From test blocks to nerve ablation".')
    slug = models.SlugField(
        max_length=150, unique=True, help_text="A short name; the section's anchor on the page."
    )
    intro = models.CharField(max_length=300, help_text="One plain sentence above the steps.")
    steps = models.TextField(help_text=STEP_HELP)
    steps_json = models.JSONField(default=list, editable=False, blank=True)
    steps_html = models.TextField(editable=False, blank=True)
    shown_on = models.ManyToManyField(
        Procedure,
        blank=True,
        related_name="pathways",
        help_text="The procedure pages that show this pathway.",
    )

    objects = PathwayQuerySet.as_manager()
    history = PageHistory()

    text_field = "steps"
    html_field = "steps_html"  # for the admin's preview; pages show the parsed steps
    derived_fields = ("steps_json", "steps_html")

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Where patients see it: the first procedure page that shows it."""
        if self.pk is None:
            return ""
        first = self.shown_on.order_by("order", "title").first()
        return f"{first.get_absolute_url()}#pathway-{self.slug}" if first else ""

    @staticmethod
    def parse_steps(text: str) -> tuple[list[dict], list[tuple[int, str]]]:
        """``(steps, problems)``: each step as a dict, each problem as (line, message)."""
        steps, problems = [], []
        for number, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = STEP_LINE.match(line.strip())
            if match is None:
                problems.append((number, f"Line {number}: {STEP_HELP}"))
                continue
            steps.append(
                {
                    "title": match["title"].strip(),
                    "slug": match["slug"] or "",
                    "text": match["text"].strip(),
                }
            )
        if not steps and not problems:
            problems.append((1, "Write at least one step. " + STEP_HELP))
        return steps, problems

    def text_problems(self) -> list[str]:
        return [message for _, message in self.parse_steps(self.steps)[1]]

    def render(self):
        self.steps_json = self.parse_steps(self.steps)[0]
        self.steps_html = markdown.render_fragment(registry.expand(self.steps, {}))

    def save(self, *args, **kwargs):
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)

    def search_document(self) -> dict:
        return {"title": self.title, "also_called": "", "summary": self.intro, "body": ""}
