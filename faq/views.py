from django.db.models import Prefetch
from django.views.generic import ListView

from core import popovers

from .models import FAQ, Topic

# Only the columns the page shows (no Markdown source, no history fields).
FAQ_COLUMNS = ("id", "slug", "question", "answer_html", "topic", "order")
PROCEDURE_COLUMNS = ("id", "slug", "title")


class FAQListView(ListView):
    """Every published answer, grouped by topic, each folded in a <details>.

    Glossary pop-ups are written once per page (``core.popovers``), not once per
    answer, and each linked procedure's address is worked out once per page.
    """

    template_name = "faq/faq_list.html"
    context_object_name = "faqs"

    def get_queryset(self):
        procedures = FAQ._meta.get_field("procedures").related_model
        linked = procedures.objects.published().only(*PROCEDURE_COLUMNS).order_by("title")
        return (
            FAQ.objects.published()
            .order_by("order", "question")
            .only(*FAQ_COLUMNS)
            .prefetch_related(Prefetch("procedures", queryset=linked, to_attr="linked"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        faqs = list(context["faqs"])
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
