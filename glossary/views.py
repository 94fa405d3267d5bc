from itertools import groupby

from django.views.generic import ListView

from .models import GlossaryTerm


class GlossaryListView(ListView):
    template_name = "glossary/glossaryterm_list.html"
    context_object_name = "terms"

    def get_queryset(self):
        return GlossaryTerm.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["letters"] = [
            {"letter": letter, "terms": list(terms)}
            for letter, terms in groupby(context["terms"], key=lambda t: t.term[:1].upper())
        ]
        return context
