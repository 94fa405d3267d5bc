"""sitemap.xml: the site's list pages and every published page of each page type
registered with ``sitemap=True``.

Addresses use the configured ``SITE_URL``, never the request's Host header (Django's
sitemap view would otherwise build them from whatever host a request names)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from core.registry import registry


class SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticSitemap(SiteSitemap):
    def items(self):
        return registry.list_pages

    def location(self, item):
        return reverse(item)


class PageTypeSitemap(SiteSitemap):
    def __init__(self, page_type):
        self.page_type = page_type

    def items(self):
        return self.page_type.model.objects.published().order_by("order", "pk")

    def lastmod(self, obj):
        return obj.updated


def sitemaps() -> dict:
    """Section name -> sitemap, for every page type registered with ``sitemap=True``."""
    sections = {"pages": StaticSitemap()}
    for page_type in registry:
        if page_type.sitemap:
            sections[page_type.folder] = PageTypeSitemap(page_type)
    return sections
