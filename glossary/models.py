import html

from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags

from core import markdown
from core.pages import PageQuerySet, PublishableModel, lines
from core.registry import registry
from core.search_text import plain_text
from editorial.history import PageHistory


class GlossaryQuerySet(PageQuerySet):
    def for_list(self):
        return self.published().order_by("term")

    def entries(self) -> list[markdown.GlossaryEntry]:
        """Published terms as the Markdown renderer needs them (one query).

        The definition is plain text: tags removed *and* entities decoded (``&amp;`` is
        ``&`` again), because the renderer escapes it once when it writes the pop-up.
        """
        base = reverse("glossary:list")
        return [
            markdown.GlossaryEntry(
                slug=slug,
                words=(term, *lines(also)),
                definition=" ".join(html.unescape(strip_tags(definition_html)).split()),
                url=f"{base}#{slug}",
            )
            for slug, term, also, definition_html in self.published().values_list(
                "slug", "term", "also_called", "definition_html"
            )
        ]


class GlossaryTerm(PublishableModel):
    term = models.CharField(max_length=120, unique=True, help_text='The word, e.g. "Fluoroscopy".')
    slug = models.SlugField(
        max_length=120, unique=True, help_text="The link anchor on the glossary page."
    )
    also_called = models.TextField(
        blank=True,
        help_text="Other forms that should link here (plurals, spellings), one per line.",
    )
    definition = models.TextField(help_text="One to three short, plain sentences (Markdown).")
    definition_html = models.TextField(editable=False, blank=True)

    objects = GlossaryQuerySet.as_manager()
    history = PageHistory()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("glossary:list") + f"#{self.slug}"

    @property
    def also_called_list(self):
        return lines(self.also_called)

    list_fields = ("also_called",)
    may_include = False  # a definition is too short for a shared block
    text_field = "definition"
    html_field = "definition_html"
    derived_fields = ("definition_html",)

    def render(self):
        self.definition_html = markdown.render_fragment(registry.expand(self.definition, {}))

    def save(self, *args, **kwargs):
        if not kwargs.get("update_fields"):
            self.render()
        super().save(*args, **kwargs)

    def search_document(self) -> dict:
        return {
            "title": self.term,
            "also_called": self.also_called,
            "summary": plain_text(self.definition_html),
            "body": "",
        }
