from django.views.generic import ListView

from .models import FAQ, Topic


class FAQListView(ListView):
    template_name = "faq/faq_list.html"
    context_object_name = "faqs"

    def get_queryset(self):
        return FAQ.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = {value: [] for value, _ in Topic.choices}
        for faq in context["faqs"]:
            groups[faq.topic].append(faq)
        context["topics"] = [
            {"slug": value, "label": label, "faqs": groups[value]}
            for value, label in Topic.choices
            if groups[value]
        ]
        return context
