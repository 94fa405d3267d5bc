"""sitemap.xml: the site's list pages and every published page of each page type
registered with ``sitemap=True``."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from core.registry import registry


class StaticSitemap(Sitemap):
    def items(self):
        return registry.list_pages

    def location(self, item):
        return reverse(item)


class PageTypeSitemap(Sitemap):
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
