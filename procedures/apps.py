from django.apps import AppConfig

from core.registry import PageType, registry

from .sections import check_sections

ARTICLE_KEYS = ("title", "slug", "status", "order", "also_called", "summary")
REVIEW_KEYS = ("reviewed_on", "reviewed_by", "next_review_due")


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = "Procedures and conditions"

    def ready(self):
        registry.add_list_pages(
            "procedures:list", "procedures:compare", "procedures:where_it_hurts", "conditions:list"
        )
        registry.register_model("area", self.get_model("Area"))
        registry.register(
            PageType(
                self.get_model("Condition"),
                name="condition",
                folder="conditions",
                front_matter=(*ARTICLE_KEYS, "areas", "sources", *REVIEW_KEYS),
                required=frozenset({"title", "slug", "summary"}),
                file_defaults={"status": "published"},
                sitemap=True,
            )
        )
        registry.register(
            PageType(
                self.get_model("Procedure"),
                name="procedure",
                folder="procedures",
                front_matter=(
                    *ARTICLE_KEYS,
                    "main_message",
                    "kind",
                    "used_for",
                    "duration",
                    "sedation",
                    "driver",
                    "relief_starts",
                    "relief_lasts",
                    "areas",
                    "conditions",
                    "related",
                    "sources",
                    *REVIEW_KEYS,
                ),
                required=frozenset(
                    {
                        "title",
                        "slug",
                        "summary",
                        "main_message",
                        "kind",
                        "used_for",
                        "duration",
                        "sedation",
                        "driver",
                        "relief_starts",
                        "relief_lasts",
                        "sources",
                    }
                ),  # fmt: skip
                file_defaults={"status": "published"},
                sitemap=True,
                names_are_terms=True,
                check_body=check_sections,
            )
        )
        registry.register(
            PageType(
                self.get_model("Pathway"),
                name="pathway",
                folder="pathways",
                front_matter=("title", "slug", "status", "order", "intro", "shown_on"),
                required=frozenset({"title", "slug", "intro"}),
                file_defaults={"status": "published"},
                glossary_links=False,
                searchable=False,
                load_order=60,  # after the procedures it is shown on
            )
        )
