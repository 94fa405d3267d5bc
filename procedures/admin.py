from django.contrib import admin

from editorial.admin_base import (
    ArticleAdminForm,
    RenderedHtmlMixin,
    ReviewDueFilter,
    WorkflowAdmin,
    reading_grade,
)

from .models import Area, Condition, Pathway, Procedure


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ArticleAdmin(RenderedHtmlMixin, WorkflowAdmin):
    form = ArticleAdminForm
    list_filter = ["status", ReviewDueFilter, "areas"]
    search_fields = ["title", "slug", "also_called", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["rendered_preview", "reading_grade_display", "updated", "version"]
    list_per_page = 50

    @admin.display(description="Reading grade")
    def reading_grade_display(self, obj):
        return reading_grade(obj)

    def get_preview_object(self, obj):
        return self.model.objects.for_detail().get(pk=obj.pk)


@admin.register(Procedure)
class ProcedureAdmin(ArticleAdmin):
    list_display = ["title", "kind", "status", "waiting", "order", "next_review_due",
                    reading_grade, "updated"]  # fmt: skip
    list_filter = ["status", ReviewDueFilter, "kind", "areas", "conditions"]
    preview_template = "procedures/procedure_detail.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "also_called", "summary",
                           "main_message", "kind"]}),
        ("At a glance", {"fields": ["used_for", "duration", "sedation", "driver",
                                    "relief_starts", "relief_lasts"]}),
        ("Page text", {"fields": ["body", "rendered_preview", "reading_grade_display"],
                       "classes": ["markdown-editor"]}),
        ("Links", {"fields": ["conditions", "related", "areas", "sources"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]  # fmt: skip

    def get_preview_context(self, request, obj):
        return {"procedure": obj, "object": obj}


@admin.register(Condition)
class ConditionAdmin(ArticleAdmin):
    list_display = ["title", "status", "waiting", "order", "next_review_due", reading_grade,
                    "updated"]  # fmt: skip
    preview_template = "procedures/condition_detail.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "also_called", "summary"]}),
        ("Page text", {"fields": ["body", "rendered_preview", "reading_grade_display"],
                       "classes": ["markdown-editor"]}),
        ("Links", {"fields": ["areas", "sources"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]  # fmt: skip

    def get_preview_context(self, request, obj):
        return {"condition": obj, "object": obj}


@admin.register(Pathway)
class PathwayAdmin(RenderedHtmlMixin, WorkflowAdmin):
    list_display = ["title", "status", "waiting", "order", "updated"]
    search_fields = ["title", "intro", "steps"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["rendered_preview", "updated", "version"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "intro"]}),
        ("Steps", {"fields": ["steps", "rendered_preview"], "classes": ["markdown-editor"]}),
        ("Shown on", {"fields": ["shown_on"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.title, "html": obj.steps_html}
