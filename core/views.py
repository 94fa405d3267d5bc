from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from core.registry import registry
from core.sitemaps import sitemaps


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


def sitemap_xml(request):
    return sitemap(request, sitemaps=sitemaps())


class HowWeWriteView(TemplateView):
    """How pages are written, sourced and checked, with honest counts of what is checked."""

    template_name = "how_we_write.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = checked = 0
        for page_type in registry:
            if page_type.reviewed and page_type.sitemap:
                counts = page_type.model.objects.published().aggregate(
                    published=Count("pk"), checked=Count("pk", filter=Q(reviewed_on__isnull=False))
                )
                published += counts["published"]
                checked += counts["checked"]
        context.update(published=published, checked=checked)
        return context
