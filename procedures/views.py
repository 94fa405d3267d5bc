from django.db.models import Count, Prefetch
from django.views.generic import ListView, TemplateView

from editorial.views import PreviewableDetailView
from faq.models import FAQ, TOPIC_ORDER, Topic

from .models import Area, Condition, Procedure

# A procedure page shows only its most specific questions; the FAQ page has them all.
FAQS_ON_PROCEDURE_PAGE = 6


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


class ProcedureListView(ListView):
    template_name = "procedures/procedure_list.html"
    context_object_name = "procedures"

    def get_queryset(self):
        return Procedure.objects.for_list()


class ProcedureCompareView(ListView):
    """All procedures side by side in one table (stacked into cards on a phone)."""

    template_name = "procedures/procedure_compare.html"
    context_object_name = "procedures"

    def get_queryset(self):
        return Procedure.objects.for_list()


class ProcedureDetailView(PreviewableDetailView):
    model = Procedure
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        context["faqs"] = most_specific(procedure.published_faqs)
        context["more_faqs"] = len(procedure.published_faqs) > len(context["faqs"])
        context["pathways"] = self.pathways(procedure)
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


class ConditionListView(ListView):
    template_name = "procedures/condition_list.html"
    context_object_name = "conditions"

    def get_queryset(self):
        return Condition.objects.for_list()


class ConditionDetailView(PreviewableDetailView):
    model = Condition
    template_name = "procedures/condition_detail.html"
    context_object_name = "condition"


class WhereItHurtsView(ListView):
    template_name = "procedures/where_it_hurts.html"
    context_object_name = "areas"

    def get_queryset(self):
        return Area.objects.prefetch_related(
            Prefetch("conditions", Condition.objects.for_list(), to_attr="published_conditions"),
            Prefetch("procedures", Procedure.objects.for_list(), to_attr="published_procedures"),
        )


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["procedures"] = Procedure.objects.for_list()
        context["conditions"] = Condition.objects.for_list()
        context["faqs"] = (
            FAQ.objects.published().filter(topic=Topic.ABOUT).order_by("order", "question")[:4]
        )
        return context
