"""Patient tools built on a procedure page: the take-home sheet and the block diary.

Both reuse what the page already has (the rendered sections, the key facts, the
clinic's numbers); neither stores anything a patient enters.
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno
from django.conf import settings
from django.http import Http404
from django.utils.safestring import mark_safe
from django.views.generic import DetailView

from .models import Kind, Procedure

# The sections of the page a patient needs at home, in the order the sheet shows them.
SHEET_SECTIONS = ("how-to-prepare", "after-the-procedure", "when-to-get-help")

_SECTION = re.compile(
    r'<section class="page-section page-section--(?P<id>[a-z0-9-]+)"[^>]*>.*?</section>',
    re.DOTALL,
)

# The diary: blocks that test where pain comes from (kind "diagnostic" or "both"),
# except discography, which provokes pain rather than numbing it, so a relief diary
# does not fit it; and the stimulator trial, scored once a day for a week.
DIARY_KINDS = (Kind.DIAGNOSTIC, Kind.BOTH)
NOT_A_BLOCK = frozenset({"discography"})
STIMULATOR_TRIAL = frozenset({"spinal-cord-stimulation"})
BLOCK_HOURS = 6
DIARY_DAYS = 7


def sections(body_html: str) -> dict[str, str]:
    """The page's rendered sections by id (``how-to-prepare`` -> its ``<section>`` HTML)."""
    return {match["id"]: match.group(0) for match in _SECTION.finditer(body_html)}


def sheet_sections(procedure: Procedure) -> list[str]:
    found = sections(procedure.body_html)
    return [mark_safe(found[key]) for key in SHEET_SECTIONS if key in found]  # noqa: S308


def canonical_url(procedure: Procedure) -> str:
    return settings.SITE_URL + procedure.get_absolute_url()


@lru_cache(maxsize=64)
def qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (segno; drawn here, no request anywhere)."""
    code = segno.make(url, error="m", micro=False)
    # A viewBox and no fixed size, so the stylesheet sets its size on screen and on paper.
    svg = code.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
    # Decorative for assistive technology: the address is written out beside it.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def diary_schedule(procedure: Procedure) -> str | None:
    """``"block"`` (hourly for 6 hours, then daily), ``"trial"`` (daily) or None."""
    if procedure.slug in STIMULATOR_TRIAL:
        return "trial"
    if procedure.kind in DIARY_KINDS and procedure.slug not in NOT_A_BLOCK:
        return "block"
    return None


def diary_rows(schedule: str) -> list[dict]:
    """The diary's rows: the starting score, then each hour (blocks), then each day."""
    rows = [{"key": "baseline", "label": "Before the procedure (your starting score)"}]
    if schedule == "block":
        rows += [
            {"key": f"h{hour}", "label": f"{hour} hour{'s' if hour > 1 else ''} after"}
            for hour in range(1, BLOCK_HOURS + 1)
        ]
    rows += [{"key": f"d{day}", "label": f"Day {day}"} for day in range(1, DIARY_DAYS + 1)]
    return rows


class PublishedProcedureMixin:
    model = Procedure
    context_object_name = "procedure"

    def get_queryset(self):
        return Procedure.objects.published()


class ProcedureSheetView(PublishedProcedureMixin, DetailView):
    """A take-home sheet: key facts, preparation, aftercare, when to get help, a QR code."""

    template_name = "procedures/procedure_sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        url = canonical_url(procedure)
        context.update(
            page_url=url,
            qr_svg=mark_safe(qr_svg(url)),  # noqa: S308 - segno's own SVG, no page text in it
            sheet_sections=sheet_sections(procedure),
            diary_schedule=diary_schedule(procedure),
        )
        return context


class ProcedureDiaryView(PublishedProcedureMixin, DetailView):
    """The pain diary: printable, and on a phone (static/js/diary.js, browser storage only)."""

    template_name = "procedures/procedure_diary.html"

    def get_object(self, queryset=None):
        procedure = super().get_object(queryset)
        if diary_schedule(procedure) is None:
            raise Http404("No diary for this procedure.")
        return procedure

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schedule = diary_schedule(self.object)
        context.update(
            schedule=schedule,
            rows=diary_rows(schedule),
            hours=BLOCK_HOURS,
            days=DIARY_DAYS,
        )
        return context
