from django.contrib import admin

from painsite.admin_base import RenderedHtmlMixin

from .models import GlossaryTerm


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(RenderedHtmlMixin, admin.ModelAdmin):
    rendered_field = "definition_html"
    list_display = ["term", "slug", "status", "updated"]
    list_filter = ["status"]
    search_fields = ["term", "also_called", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    readonly_fields = ["rendered_preview", "updated", "version"]
    fields = ["term", "slug", "status", "also_called", "definition", "rendered_preview",
              "updated", "version"]  # fmt: skip
