"""Shared pieces for the content ModelAdmins."""

from django.contrib import admin
from django.utils.html import format_html


class RenderedHtmlMixin:
    """Read-only display of the HTML the site will show (made on save)."""

    rendered_field = "body_html"

    @admin.display(description="How the page will look")
    def rendered_preview(self, obj):
        html = getattr(obj, self.rendered_field, "") if obj else ""
        if not html:
            return "Shown here after the first save."
        return format_html('<div class="rendered-preview">{}</div>', _safe(html))


def _safe(html):
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # sanitized with nh3 when the page was saved


@admin.display(description="Reading grade", ordering="reading_grade")
def reading_grade(obj):
    if obj.reading_grade is None:
        return "–"
    warn = obj.reading_grade > 6.5 or (obj.reading_worst or 0) > 8
    return f"{obj.reading_grade} (hardest section {obj.reading_worst}){' ⚠' if warn else ''}"
