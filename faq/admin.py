from django.contrib import admin

from painsite.admin_base import RenderedHtmlMixin

from .models import FAQ


@admin.register(FAQ)
class FAQAdmin(RenderedHtmlMixin, admin.ModelAdmin):
    rendered_field = "answer_html"
    list_display = ["question", "topic", "status", "order", "updated"]
    list_filter = ["status", "topic", "procedures"]
    search_fields = ["question", "answer", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    filter_horizontal = ["procedures"]
    readonly_fields = ["rendered_preview", "updated", "version"]
    fields = ["question", "slug", "topic", "status", "order", "answer", "rendered_preview",
              "procedures", "updated", "version"]  # fmt: skip
