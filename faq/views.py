from django.db.models import Case, IntegerField, Prefetch, When
from django.shortcuts import redirect
from django.views.generic import TemplateView

from core import popovers
from core.links import view_url
from core.paging import page_of

from .models import FAQ, TOPIC_ORDER, Topic

# Only the columns the page shows (no Markdown source, no history fields).
FAQ_COLUMNS = (
    "id", "slug", "question", "answer_html", "topic", "order",
    "sources", "shared_sources", "reviewed_on", "next_review_due",
)  # fmt: skip
PROCEDURE_COLUMNS = ("id", "slug", "title")
# Answers per page: every answer is on one page until there are more than this.
FAQS_PER_PAGE = 50


def in_page_order():
    """Published questions as the page shows them: by topic, then order and question."""
    topic_rank = Case(
        *(When(topic=value, then=rank) for rank, value in enumerate(TOPIC_ORDER)),
        output_field=IntegerField(),
    )
    return FAQ.objects.published().order_by(topic_rank, "order", "question", "pk")


class FAQListView(TemplateView):
    """The published answers grouped by topic, each folded in a <details>.

    Glossary pop-ups are written once per page (``core.popovers``), not once per
    answer, and each linked procedure's address is worked out once per page. Past
    ``FAQS_PER_PAGE`` answers the page comes in pages (``?page=N``); a link to
    ``/faq/#slug`` whose answer is on another page is sent there by ``faq.js``
    through ``/faq/find/<slug>/``.
    """

    template_name = "faq/faq_list.html"

    def get_queryset(self):
        procedures = FAQ._meta.get_field("procedures").related_model
        linked = procedures.objects.published().only(*PROCEDURE_COLUMNS).order_by("title")
        return (
            in_page_order()
            .only(*FAQ_COLUMNS)
            .prefetch_related(Prefetch("procedures", queryset=linked, to_attr="linked"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = page_of(self.request, self.get_queryset(), FAQS_PER_PAGE)
        faqs = page.rows
        context["page"] = page
        context["faqs"] = faqs
        answers, context["glossary_popovers"] = popovers.share([f.answer_html for f in faqs])
        urls: dict[int, str] = {}
        groups = {value: [] for value, _ in Topic.choices}
        for faq, answer in zip(faqs, answers, strict=True):
            faq.shared_answer_html = answer
            faq.links = [(urls.setdefault(p.pk, p.get_absolute_url()), p.title) for p in faq.linked]
            groups[faq.topic].append(faq)
        context["topics"] = [
            {"slug": value, "label": label, "faqs": groups[value]}
            for value, label in Topic.choices
            if groups[value]
        ]
        return context


def find(request, slug):
    """Redirect to the page of the FAQ list that holds this answer (or to the list)."""
    slugs = list(in_page_order().values_list("slug", flat=True))
    try:
        position = slugs.index(slug)
    except ValueError:
        return redirect(view_url("faq:list"))  # a question taken down: the list, not a 404
    number = position // FAQS_PER_PAGE + 1
    query = f"?page={number}" if number > 1 else ""
    return redirect(f"{view_url('faq:list')}{query}#{slug}")
