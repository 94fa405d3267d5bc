from django.contrib import admin

from editorial.admin_base import RenderedHtmlMixin, WorkflowAdmin

from .models import GlossaryTerm


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(RenderedHtmlMixin, WorkflowAdmin):
    list_display = ["term", "slug", "status", "waiting", "updated"]
    list_filter = ["status"]
    search_fields = ["term", "also_called", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    readonly_fields = ["rendered_preview", "updated", "version"]
    fieldsets = [
        (None, {"fields": ["term", "slug", "status", "also_called"]}),
        ("Definition", {"fields": ["definition", "rendered_preview"],
                        "classes": ["markdown-editor"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]  # fmt: skip

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.term, "html": obj.definition_html}
