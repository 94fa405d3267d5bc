"""What needs attention in the content: a daily job or a CI step.

Lists overdue medical reviews (and those due soon), readability per page,
images without alt text, image references to missing images and internal links
that point nowhere. Exits non-zero when anything needs attention.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.urls import Resolver404, resolve
from django.utils import timezone

from core.markdown import image_references
from core.pages import readability_exclusions
from core.readability import score_markdown
from core.registry import registry

HREF = re.compile(r'href="([^"]*)"')


def _label(page) -> str:
    return f"{page._meta.verbose_name} '{page.slug}'"


class Command(BaseCommand):
    help = (
        "Report overdue medical reviews, readability, images without alt text and broken "
        "internal links. Exits with status 1 when something needs attention."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--soon", type=int, default=30, help="Also list reviews due within this many days."
        )

    def handle(self, *args, soon, **options):
        self.problems = 0
        articles = [
            page
            for page_type in registry
            if page_type.reviewed
            for page in page_type.model.objects.published().order_by("slug")
        ]
        self.reviews(soon)
        self.readability(articles)
        self.images(articles)
        self.links(articles)
        if self.problems:
            raise CommandError(f"{self.problems} thing(s) need attention.")
        self.stdout.write(self.style.SUCCESS("Nothing needs attention."))

    def heading(self, text):
        self.stdout.write(f"\n{text}\n{'=' * len(text)}")

    def problem(self, text):
        self.problems += 1
        self.stdout.write(self.style.ERROR(f"  PROBLEM: {text}"))

    def reviews(self, soon):
        self.heading("Medical review")
        today = timezone.localdate()
        found = False
        for page_type in registry:
            if not page_type.reviewed:
                continue
            pages = page_type.model.objects.published()
            for page in pages.review_overdue(today).order_by("next_review_due"):
                found = True
                self.problem(f"{_label(page)}: review overdue since {page.next_review_due}")
            for page in pages.filter(next_review_due__isnull=True):
                found = True
                self.problem(f"{_label(page)}: awaiting clinical review (never reviewed)")
            for page in pages.review_due_soon(soon, today).order_by("next_review_due"):
                found = True
                self.stdout.write(f"  due soon: {_label(page)}: review due {page.next_review_due}")
        if not found:
            self.stdout.write(f"  No review overdue or due in the next {soon} days.")

    def readability(self, articles):
        self.heading("Readability (median grade at most 6.5, each section at most 8)")
        exclusions = readability_exclusions()
        for page in articles:
            score = score_markdown(registry.expand(page.body), exclusions)
            self.stdout.write(
                f"  {_label(page)}: median {score.median}, hardest section "
                f"{score.worst.grade if score.worst else '–'}"
            )
            for text in score.problems():
                self.problem(f"{_label(page)}: {text}")

    def images(self, articles):
        self.heading("Images")
        Figure = registry.model("figure")  # noqa: N806
        for figure in Figure.objects.missing_alt():
            self.problem(f"image '{figure.key}' has no alt text and is not marked decorative")
        known = set(Figure.objects.values_list("key", flat=True))
        for page in articles:
            for key, _, line in image_references(page.body):
                if key not in known:
                    self.problem(f"{_label(page)} line {line}: no image called '{key}'")
        self.stdout.write(f"  {len(known)} image(s) checked.")

    def links(self, articles):
        self.heading("Internal links")
        pages = [
            page
            for page_type in registry
            for page in page_type.model.objects.published().order_by("slug")
        ]
        published = {page.get_absolute_url() for page in pages}
        # Pages shown as anchors on a list page (/faq/#slug): that list's path.
        anchored = {
            url.partition("#")[0]
            for page_type in registry
            if "#" in (url := page_type.model(slug="x").get_absolute_url())
        }
        checked = 0
        for page in pages:
            for href in HREF.findall(getattr(page, page.html_field) or ""):
                if not href.startswith("/") or href.startswith("//"):
                    continue
                checked += 1
                reason = self.broken(href.replace("&amp;", "&"), published, anchored)
                if reason:
                    self.problem(f"{_label(page)}: link to {href} {reason}")
        self.stdout.write(f"  {checked} internal link(s) checked.")

    def broken(self, href, published, anchored) -> str | None:
        parts = urlsplit(href)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return "goes to no page"
        if parts.fragment:
            if parts.path in anchored and f"{parts.path}#{parts.fragment}" not in published:
                return f"points to '#{parts.fragment}', which is not on that page"
        elif "slug" in match.kwargs and parts.path not in published:
            return "goes to a page that does not exist or is not published"
        return None
