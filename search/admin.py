from django.contrib import admin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["slug", "terms_preview", "active", "updated"]
    list_filter = ["active"]
    search_fields = ["slug", "terms", "note"]
    readonly_fields = ["updated"]
    fields = ["slug", "terms", "active", "note", "updated"]

    @admin.display(description="Words that mean the same")
    def terms_preview(self, obj):
        return " · ".join(obj.term_list)
