from django.db.models import Prefetch
from django.views.generic import ListView

from painsite.views import PreviewableDetailView

from .models import Area, Condition, Procedure


class ProcedureListView(ListView):
    template_name = "procedures/procedure_list.html"
    context_object_name = "procedures"

    def get_queryset(self):
        return Procedure.objects.for_list()


class ProcedureDetailView(PreviewableDetailView):
    model = Procedure
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"


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
