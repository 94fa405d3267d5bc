from django.apps import AppConfig

from core.registry import PageType, registry


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Frequently asked questions"

    def ready(self):
        registry.add_list_pages("faq:list")
        registry.register(
            PageType(
                self.get_model("FAQ"),
                name="faq",
                folder="faq",
                front_matter=(
                    "question",
                    "slug",
                    "topic",
                    "status",
                    "order",
                    "procedures",
                    "sources",
                    "reviewed_on",
                    "reviewed_by",
                    "next_review_due",
                ),
                required=frozenset({"question", "slug", "topic"}),
                file_defaults={"status": "published"},
                name_field="question",
                load_order=70,
            )
        )
