from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from procedures.models import Condition, Procedure


class StaticSitemap(Sitemap):
    def items(self):
        return ["home", "procedures:list", "procedures:compare", "procedures:where_it_hurts",
                "conditions:list", "faq:list", "glossary:list"]  # fmt: skip

    def location(self, item):
        return reverse(item)


class ProcedureSitemap(Sitemap):
    def items(self):
        return Procedure.objects.for_list()

    def lastmod(self, obj):
        return obj.updated


class ConditionSitemap(Sitemap):
    def items(self):
        return Condition.objects.for_list()

    def lastmod(self, obj):
        return obj.updated


SITEMAPS = {"pages": StaticSitemap, "procedures": ProcedureSitemap, "conditions": ConditionSitemap}
