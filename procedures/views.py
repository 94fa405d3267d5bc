from django.db.models import Count, Prefetch
from django.views.generic import ListView, TemplateView

from core import popovers
from core.paging import page_of
from editorial.views import PreviewableDetailView
from faq.models import FAQ, TOPIC_ORDER, Topic

from .models import Area, Condition, Procedure
from .tools import diary_schedule

# A procedure page shows only its most specific questions; the FAQ page has them all.
FAQS_ON_PROCEDURE_PAGE = 6
# Lists stay bounded however much content there is: fixed numbers on the home page,
# pages of a fixed size elsewhere (core.paging).
HOME_PROCEDURES = 12
HOME_CONDITIONS = 24
PROCEDURES_PER_PAGE = 30
CONDITIONS_PER_PAGE = 30
COMPARE_PER_PAGE = 15
PER_AREA = 20  # conditions and procedures listed under each area of "where it hurts"
# Only the columns each list shows.
CARD_COLUMNS = ("pk", "slug", "title", "summary", "kind")
LINK_COLUMNS = ("pk", "slug", "title")
COMPARE_COLUMNS = (
    *LINK_COLUMNS,
    "used_for",
    "kind",
    "duration",
    "sedation",
    "driver",
    "relief_starts",
    "relief_lasts",
)


class PagedListView(TemplateView):
    """A list shown a page at a time (``?page=N``), in one query."""

    context_object_name = "object_list"
    per_page = 30

    def get_queryset(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = page_of(self.request, self.get_queryset(), self.per_page)
        context["page"] = page
        context[self.context_object_name] = page.rows
        return context


def most_specific(faqs: list[FAQ], limit: int = FAQS_ON_PROCEDURE_PAGE) -> list[FAQ]:
    """The FAQs linked to the fewest procedures first (one query, whatever the number).

    General questions ("Do I need a driver?") are linked to every procedure; the
    ones about this procedure come first.
    """
    if not faqs:
        return []
    counts = dict(
        FAQ.procedures.through.objects.filter(faq_id__in=[faq.pk for faq in faqs])
        .values("faq_id")
        .annotate(n=Count("pk"))
        .values_list("faq_id", "n")
    )
    return sorted(
        faqs,
        key=lambda f: (counts.get(f.pk, 0), TOPIC_ORDER.index(f.topic), f.order, f.question),
    )[:limit]


class ProcedureListView(PagedListView):
    template_name = "procedures/procedure_list.html"
    context_object_name = "procedures"
    per_page = PROCEDURES_PER_PAGE

    def get_queryset(self):
        return Procedure.objects.for_list().only(*CARD_COLUMNS)


class ProcedureCompareView(PagedListView):
    """Procedures side by side in one table (stacked into cards on a phone).

    With ``?p=slug&p=slug`` (two or three, chosen with the table's checkboxes) it shows
    just those, one column each, so a patient offered two procedures can weigh them.
    """

    template_name = "procedures/procedure_compare.html"
    context_object_name = "procedures"
    per_page = COMPARE_PER_PAGE
    chosen_min, chosen_max = 2, 3

    def get_queryset(self):
        return Procedure.objects.for_list().only(*COMPARE_COLUMNS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wanted = list(dict.fromkeys(self.request.GET.getlist("p")))[: self.chosen_max + 1]
        if not wanted:
            return context
        found = {p.slug: p for p in self.get_queryset().filter(slug__in=wanted)}
        chosen = [found[slug] for slug in wanted if slug in found]
        if self.chosen_min <= len(chosen) <= self.chosen_max and len(chosen) == len(wanted):
            context["chosen"] = chosen
            labels = [label for label, _ in chosen[0].at_a_glance]
            values = [dict(p.at_a_glance) for p in chosen]
            context["chosen_rows"] = [
                (label, [value.get(label, "") for value in values]) for label in labels
            ]
        else:
            context["choice_problem"] = (
                f"Choose {self.chosen_min} or {self.chosen_max} procedures to compare, "
                "with the boxes in the table."
            )
            context["wanted"] = set(wanted)
        return context


class ProcedureDetailView(PreviewableDetailView):
    model = Procedure
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        context["faqs"] = most_specific(procedure.published_faqs)
        # A term's pop-up once on the page: the FAQ answers point at the body's copy.
        body, *answers = popovers.share_in_place(
            [procedure.body_html, *(faq.answer_html for faq in context["faqs"])]
        )
        procedure.body_html = body
        for faq, answer in zip(context["faqs"], answers, strict=True):
            faq.answer_html = answer  # shown only; never saved
        context["more_faqs"] = len(procedure.published_faqs) > len(context["faqs"])
        context["pathways"] = self.pathways(procedure)
        context["diary_schedule"] = diary_schedule(procedure)
        context["quizzes"] = self.quizzes(procedure)
        return context

    def quizzes(self, procedure):
        """The published questions, each answer lettered and each reason linked to the
        section of this page that gives it."""
        sections = {item["title"].lower(): item["id"] for item in procedure.toc or ()}
        shown = []
        for quiz in getattr(procedure, "published_quizzes", ()):
            questions = []
            for question in quiz.questions_json:
                see = question.get("see", "").lower()
                anchor = next((i for t, i in sections.items() if t.startswith(see)), "")
                answers = [
                    {**answer, "letter": "ABCD"[n]} for n, answer in enumerate(question["answers"])
                ]
                questions.append(
                    {**question, "answers": answers, "see_url": f"#{anchor}" if anchor else ""}
                )
            quiz.questions_shown = questions
            shown.append(quiz)
        return shown

    def pathways(self, procedure):
        """The pathways shown on this page; steps link to published procedures only."""
        pathways = procedure.published_pathways
        if not pathways:
            return []
        linked = {step["slug"] for pathway in pathways for step in pathway.steps_json}
        published = set(
            Procedure.objects.published().filter(slug__in=linked).values_list("slug", flat=True)
        )
        return [
            {
                "pathway": pathway,
                "steps": [
                    {
                        "step": step,
                        "is_this_page": step["slug"] == procedure.slug,
                        "url": (
                            Procedure(slug=step["slug"]).get_absolute_url()
                            if step["slug"] in published and step["slug"] != procedure.slug
                            else ""
                        ),
                    }
                    for step in pathway.steps_json
                ],
            }
            for pathway in pathways
        ]


class ConditionListView(PagedListView):
    template_name = "procedures/condition_list.html"
    context_object_name = "conditions"
    per_page = CONDITIONS_PER_PAGE

    def get_queryset(self):
        return Condition.objects.for_list().only(*CARD_COLUMNS[:-1])


class ConditionDetailView(PreviewableDetailView):
    model = Condition
    template_name = "procedures/condition_detail.html"
    context_object_name = "condition"


class WhereItHurtsView(ListView):
    template_name = "procedures/where_it_hurts.html"
    context_object_name = "areas"

    def get_queryset(self):
        return Area.objects.prefetch_related(
            Prefetch(
                "conditions",
                Condition.objects.for_list().only(*LINK_COLUMNS)[:PER_AREA],
                to_attr="published_conditions",
            ),
            Prefetch(
                "procedures",
                Procedure.objects.for_list().only(*LINK_COLUMNS)[:PER_AREA],
                to_attr="published_procedures",
            ),
        )


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["procedures"] = Procedure.objects.for_list().only(*CARD_COLUMNS)[:HOME_PROCEDURES]
        context["conditions"] = Condition.objects.for_list().only(*LINK_COLUMNS)[:HOME_CONDITIONS]
        context["faqs"] = (
            FAQ.objects.published()
            .filter(topic=Topic.ABOUT)
            .order_by("order", "question")
            .only("pk", "slug", "question")[:4]
        )
        return context
