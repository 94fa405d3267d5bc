from django.apps import AppConfig

from core.registry import PageType, registry

REVIEW_KEYS = ("reviewed_on", "reviewed_by", "next_review_due")


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Procedure plans and questions"

    def ready(self):
        from .models import body_checker, parse_questions, parse_steps

        registry.register(
            PageType(
                self.get_model("PrepPlan"),
                name="preparation steps",
                folder="plans",
                front_matter=("title", "slug", "status", "order", "procedures", *REVIEW_KEYS),
                required=frozenset({"title", "slug", "procedures"}),
                file_defaults={"status": "published"},
                glossary_links=False,
                searchable=False,
                check_body=body_checker(parse_steps),
                load_order=62,  # after the procedures it belongs to
            )
        )
        registry.register(
            PageType(
                self.get_model("Quiz"),
                name="quiz",
                folder="quizzes",
                front_matter=("title", "slug", "status", "order", "procedures", *REVIEW_KEYS),
                required=frozenset({"title", "slug", "procedures"}),
                file_defaults={"status": "published"},
                glossary_links=False,
                searchable=False,
                check_body=body_checker(parse_questions),
                load_order=64,
            )
        )
