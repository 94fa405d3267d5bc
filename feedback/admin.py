"""Page feedback in the admin: counts and comments per page, and a CSV export.

Answers are read-only (nobody edits what a visitor said); people allowed to delete
them can remove one that holds personal details.
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import Truncator

from .models import Feedback

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def page_counts(queryset) -> list[dict]:
    """Per page: yes, no, comments and the share of yes, most "no" answers first."""
    rows = (
        queryset.order_by()
        .values("page_type", "page_slug")
        .annotate(
            title=Max("page_title"),
            yes=Count("pk", filter=Q(helpful=True)),
            no=Count("pk", filter=Q(helpful=False)),
            comments=Count("pk", filter=~Q(comment="")),
            total=Count("pk"),
        )
        .order_by("-no", "-total", "title")
    )
    return [
        {**row, "helpful_percent": round(100 * row["yes"] / row["total"]) if row["total"] else 0}
        for row in rows
    ]


class PageFilter(admin.SimpleListFilter):
    title = "page"
    parameter_name = "page"

    def lookups(self, request, model_admin):
        pages = (
            Feedback.objects.order_by()
            .values("page_type", "page_slug")
            .annotate(title=Max("page_title"))
            .order_by("title")
        )
        return [(f"{p['page_type']}:{p['page_slug']}", p["title"]) for p in pages]

    def queryset(self, request, queryset):
        if not self.value() or ":" not in self.value():
            return queryset
        page_type, slug = self.value().split(":", 1)
        return queryset.filter(page_type=page_type, page_slug=slug)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("page_title", "page_type", "answer", "short_comment", "created")
    list_filter = ("helpful", PageFilter, "page_type", "created")
    search_fields = ("page_title", "page_slug", "comment")
    date_hierarchy = "created"
    readonly_fields = ("page_type", "page_slug", "page_title", "helpful", "comment", "created")
    actions = ["export_csv"]
    change_list_template = "admin/feedback/feedback/change_list.html"
    list_per_page = 100

    @admin.display(description="helpful?", boolean=True, ordering="helpful")
    def answer(self, obj):
        return obj.helpful

    @admin.display(description="comment")
    def short_comment(self, obj):
        return Truncator(obj.comment).chars(80) if obj.comment else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["page_counts"] = page_counts(context["cl"].queryset)
        return response

    @admin.action(description="Export the selected answers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="page-feedback-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read it as UTF-8
        writer = csv.writer(response)
        writer.writerow(["sent", "page type", "page", "page address", "helpful", "comment"])
        for item in queryset.order_by("created"):
            writer.writerow(
                [
                    timezone.localtime(item.created).strftime("%Y-%m-%d %H:%M"),
                    item.page_type,
                    spreadsheet_safe(item.page_title),
                    settings.SITE_URL + item.page_path(),
                    "yes" if item.helpful else "no",
                    spreadsheet_safe(item.comment),
                ]
            )
        return response
