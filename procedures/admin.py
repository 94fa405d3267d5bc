from django.contrib import admin

from painsite.admin_base import RenderedHtmlMixin, reading_grade

from .models import Area, Condition, Procedure


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ArticleAdmin(RenderedHtmlMixin, admin.ModelAdmin):
    list_filter = ["status", "areas"]
    search_fields = ["title", "slug", "also_called", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["rendered_preview", "reading_grade_display", "updated", "version"]
    list_per_page = 50
    save_on_top = True

    @admin.display(description="Reading grade")
    def reading_grade_display(self, obj):
        return reading_grade(obj)


@admin.register(Procedure)
class ProcedureAdmin(ArticleAdmin):
    list_display = ["title", "kind", "status", "order", "next_review_due", reading_grade, "updated"]
    list_filter = ["status", "kind", "areas", "conditions"]
    filter_horizontal = ["conditions", "related", "areas"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "also_called", "summary",
                           "main_message", "kind"]}),
        ("At a glance", {"fields": ["used_for", "duration", "sedation", "driver",
                                    "relief_starts", "relief_lasts"]}),
        ("Page text", {"fields": ["body", "rendered_preview", "reading_grade_display"]}),
        ("Links", {"fields": ["conditions", "related", "areas", "sources"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]  # fmt: skip


@admin.register(Condition)
class ConditionAdmin(ArticleAdmin):
    list_display = ["title", "status", "order", "next_review_due", reading_grade, "updated"]
    filter_horizontal = ["areas"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order", "also_called", "summary"]}),
        ("Page text", {"fields": ["body", "rendered_preview", "reading_grade_display"]}),
        ("Links", {"fields": ["areas", "sources"]}),
        ("Medical review", {"fields": ["reviewed_on", "reviewed_by", "next_review_due"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]
