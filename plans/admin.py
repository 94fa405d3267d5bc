from django.contrib import admin

from editorial.admin_base import RenderedHtmlMixin, WorkflowAdmin

from .models import PrepPlan, Quiz


class ForProcedureAdmin(RenderedHtmlMixin, WorkflowAdmin):
    list_display = ["title", "status", "waiting", "order", "next_review_due", "updated"]
    list_filter = ["status", "procedures"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["procedures"]
    readonly_fields = ["rendered_preview", "updated", "version"]


@admin.register(PrepPlan)
class PrepPlanAdmin(ForProcedureAdmin):
    search_fields = ["title", "slug", "steps"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order"]}),
        ("Steps", {"fields": ["steps", "rendered_preview"], "classes": ["markdown-editor"]}),
        ("For these procedures", {"fields": ["procedures"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.title, "html": obj.steps_html}


@admin.register(Quiz)
class QuizAdmin(ForProcedureAdmin):
    search_fields = ["title", "slug", "questions"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order"]}),
        (
            "Questions",
            {"fields": ["questions", "rendered_preview"], "classes": ["markdown-editor"]},
        ),
        ("Shown on", {"fields": ["procedures"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.title, "html": obj.questions_html}
