"""My procedure plan: a GET form, a dated page and a calendar file. Nothing is stored.

The patient's choices arrive in the query string and leave in the response; no model
holds them, no log line carries them (gunicorn logs the path without the query, and
this view logs nothing), and every response says ``private, no-store`` and ``noindex``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views import View

from clinic.models import clinic_details
from core.pages import Status
from core.registry import registry

from . import plan as plan_builder
from .forms import PlanForm
from .models import PrepPlan

# The procedure page's sections each part of the plan links to.
PERIOD_SECTION = {
    "week-before": "How to prepare",
    "day-before": "How to prepare",
    "morning": "How to prepare",
    "first-day": "After the procedure",
    "two-weeks": "After the procedure",
    "follow-up": "Results and next steps",
}
HELP_SECTION = "When to get help"


def private(response):
    """Never kept by a browser cache or a proxy, never indexed, no address passed on."""
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def procedures_with_plans():
    """Published procedures with published steps (one query)."""
    procedure_model = registry.model("procedure")
    return list(
        procedure_model.objects.published()
        .filter(prep_plans__status=Status.PUBLISHED)
        .distinct()
        .order_by("order", "title")
        .only("pk", "slug", "title", "toc")
    )


def section_url(procedure, title: str) -> str:
    for item in procedure.toc or ():
        if item["title"].lower().startswith(title.lower()):
            return f"{procedure.get_absolute_url()}#{item['id']}"
    return procedure.get_absolute_url()


class PlanView(View):
    template_name = "plans/plan.html"
    calendar = False

    def get(self, request):
        procedures = procedures_with_plans()
        data = request.GET
        wanted = {"date", "procedure"} & set(data)
        if "date" in wanted or self.calendar:
            form = PlanForm(data, procedures=procedures)
        else:  # the page's first view, maybe with the procedure chosen ("Make my plan")
            initial = {"procedure": data.get("procedure", "")}
            form = PlanForm(initial=initial, procedures=procedures)
        context = {"form": form, "procedures": procedures, "parts": None}
        if form.is_bound and form.is_valid():
            chosen = next(p for p in procedures if p.slug == form.cleaned_data["procedure"])
            steps = (
                PrepPlan.objects.published()
                .filter(procedures=chosen)
                .order_by("order", "title")
                .only("pk", "steps_json")
            )
            parts = plan_builder.build(steps, form.cleaned_data["date"], form.conditions())
            if self.calendar:
                return self.ics(chosen, parts)
            for part in parts:
                part["section_url"] = section_url(chosen, PERIOD_SECTION[part["period"]])
                part["section_title"] = PERIOD_SECTION[part["period"]]
            context.update(
                procedure=chosen,
                day=form.cleaned_data["date"],
                parts=parts,
                help_url=section_url(chosen, HELP_SECTION),
                calendar_query=request.GET.urlencode(),
            )
        status = 400 if form.is_bound and not form.is_valid() else 200
        return private(render(request, self.template_name, context, status=status))

    def ics(self, procedure, parts):
        clinic = clinic_details()
        body = plan_builder.calendar(
            procedure,
            parts,
            time_zone=clinic["time_zone"],
            site_url=settings.SITE_URL,
            clinic_name=clinic["name"],
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="plan-{procedure.slug}.ics"'
        return private(response)
