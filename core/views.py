from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

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
