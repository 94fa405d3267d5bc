from django.contrib import admin

from editorial.admin_base import RenderedHtmlMixin, WorkflowAdmin

from .models import SafetyBlock


@admin.register(SafetyBlock)
class SafetyBlockAdmin(RenderedHtmlMixin, WorkflowAdmin):
    list_display = ["title", "slug", "status", "waiting", "updated"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["rendered_preview", "updated", "version"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order"]}),
        ("The rule", {"fields": ["body", "rendered_preview"], "classes": ["markdown-editor"]}),
        ("Keeping pages consistent", {"fields": ["watch_phrases"]}),
        ("Sources", {"fields": ["sources"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.title, "html": obj.body_html}
