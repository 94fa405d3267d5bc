"""The admin as clinic staff see it: the clinic's name on top, sections grouped by task.

The two-step sign-in lives in ``accounts.admin_site``; this subclass only decides
what the admin is called and how its home page and sidebar are arranged, which
needs every app (so it sits here, in the configuration layer):

- Pages: everything patients read (plans and questions too); Library: images and
  search synonyms; Clinic: the clinic's details, body areas and patients' page feedback;
  Staff: users and groups;
- Security (django-axes and django-otp's tables, and anything not placed above)
  only for superusers: other staff never see internal tables.

Each section has its own page (``section/<name>/``). An app's own page
(``/admin/procedures/``) still lists that app's models as Django builds it.
"""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_site import PainsiteAdminSite
from clinic.models import clinic_details

# (section, heading, [(app_label, model name or "*", label or None), ...])
SECTIONS = [
    (
        "pages",
        "Pages",
        [
            ("procedures", "Procedure", None),
            ("procedures", "Condition", None),
            ("faq", "FAQ", None),
            ("glossary", "GlossaryTerm", None),
            ("safety", "SafetyBlock", None),
            ("procedures", "Pathway", "Care pathways"),
            ("plans", "PrepPlan", None),
            ("plans", "Quiz", None),
        ],
    ),
    (
        "library",
        "Library",
        [("figures", "Figure", None), ("search", "Synonym", "Search synonyms")],
    ),
    (
        "clinic",
        "Clinic",
        [
            ("clinic", "ClinicDetails", None),
            ("procedures", "Area", "Body areas"),
            ("feedback", "Feedback", "Page feedback from patients"),
        ],
    ),
    ("staff", "Staff", [("auth", "User", "Staff accounts"), ("auth", "Group", "Roles (groups)")]),
    (
        "security",
        "Security",
        [
            ("axes", "AccessAttempt", "Failed sign-ins (lockouts)"),
            ("axes", "AccessFailureLog", "Failed sign-in log"),
            ("axes", "AccessLog", "Sign-in log"),
            ("otp_totp", "TOTPDevice", "Authenticator apps"),
            ("otp_static", "StaticDevice", "Recovery code sets"),
        ],
    ),
]
SUPERUSER_ONLY = {"security"}


class ClinicAdminSite(PainsiteAdminSite):
    index_title = "Clinic website"

    def each_context(self, request):
        context = super().each_context(request)
        name = clinic_details().get("name") or "Clinic website"
        context["site_title"] = name
        context["site_header"] = name
        return context

    def get_urls(self):
        return [
            path("section/<slug:section>/", self.admin_view(self.section_view), name="section"),
        ] + super().get_urls()

    def get_app_list(self, request, app_label=None):
        if app_label:  # an app's own page: as Django builds it
            return super().get_app_list(request, app_label)
        return self.sections(request)

    def sections(self, request) -> list[dict]:
        """The models this person may see, grouped by task, in the order staff use them."""
        found = {}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                found[(app["app_label"], model["object_name"])] = model
        superuser = request.user.is_active and request.user.is_superuser
        result = []
        for key, heading, members in SECTIONS:
            if key in SUPERUSER_ONLY and not superuser:
                continue
            models = []
            for app_label, object_name, label in members:
                model = found.pop((app_label, object_name), None)
                if model is not None:
                    models.append({**model, "name": label or model["name"]})
            if key == "security":  # anything not placed above, for the administrator
                models += sorted(found.values(), key=lambda m: str(m["name"]))
                found = {}
            if models:
                result.append(self._section(key, heading, models))
        return result

    def _section(self, key, heading, models) -> dict:
        return {
            "name": heading,
            "app_label": key,
            "app_url": reverse("admin:section", args=[key], current_app=self.name),
            "has_module_perms": True,
            "models": models,
        }

    def section_view(self, request, section):
        chosen = [s for s in self.sections(request) if s["app_label"] == section]
        if not chosen:
            raise Http404("No such section")
        context = {
            **self.each_context(request),
            "title": chosen[0]["name"],
            "subtitle": None,
            "app_list": chosen,
            "app_label": section,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/app_index.html", context)
