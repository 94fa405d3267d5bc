from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from accounts.admin_site import requires_second_step
from clinic.models import CACHE_KEY as CLINIC_CACHE_KEY
from faq.models import FAQ, Topic
from procedures.models import Condition, Procedure


class PreviewableDetailView(DetailView):
    """A published page for everyone; a draft only for staff allowed to edit it.

    The draft preview carries a banner (``is_preview`` in the context), ``noindex``
    and no-cache headers. Everyone else gets a 404 for a draft.
    """

    def can_preview(self) -> bool:
        user = self.request.user
        opts = self.model._meta
        return (
            user.is_active
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            and not requires_second_step(self.request)  # drafts, like the admin, need 2FA
        )

    def get_queryset(self):
        queryset = self.model.objects.for_detail()
        return queryset if self.can_preview() else queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["is_preview"]:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


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


@require_GET
def robots_txt(request):
    """Everything may be crawled; the sitemap lists the pages.

    The admin is not named here: robots.txt is public, and ``ADMIN_URL`` is kept
    out of sight on purpose. Admin responses carry ``X-Robots-Tag: noindex``
    instead (``SecurityHeadersMiddleware``).
    """
    lines = [
        "User-agent: *",
        "Disallow:",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, rendered without context processors so it cannot fail the same way.

    The clinic's details come from the cache if they are there; otherwise the page
    leaves the phone number out rather than show an example number.
    """
    try:
        clinic = cache.get(CLINIC_CACHE_KEY) or {}
    except Exception:  # the cache itself may be what is broken
        clinic = {}
    html = loader.get_template("500.html").render({"clinic": clinic})
    return HttpResponse(html, status=500)
