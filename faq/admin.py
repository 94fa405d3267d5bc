from django.contrib import admin

from editorial.admin_base import RenderedHtmlMixin, WorkflowAdmin

from .models import FAQ


@admin.register(FAQ)
class FAQAdmin(RenderedHtmlMixin, WorkflowAdmin):
    list_display = ["question", "topic", "status", "waiting", "order", "updated"]
    list_filter = ["status", "topic", "procedures"]
    search_fields = ["question", "answer", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["rendered_preview", "updated", "version"]
    fieldsets = [
        (None, {"fields": ["question", "slug", "topic", "status", "order"]}),
        ("Answer", {"fields": ["answer", "rendered_preview"], "classes": ["markdown-editor"]}),
        ("Links", {"fields": ["procedures"]}),
        ("History", {"fields": ["updated", "version"]}),
    ]

    def get_preview_context(self, request, obj):
        return {"object": obj, "heading": obj.question, "html": obj.answer_html}
