"""One definition of what a page type is.

Each content app registers its page types in its ``AppConfig.ready()``::

    registry.register(PageType(Procedure, name="procedure", folder="procedures", ...))

and everything that works on "every page" iterates the registry instead of keeping
its own list of models: search, glossary links, figure embedding, sitemaps, the
admin's review panel, ``content_report`` and the content loader. Lower layers
never import the apps above them; they ask the registry at run time.

A page type also declares, once, on its model:

- ``text_field``: the Markdown field people write (``body``, ``answer``, ...);
- ``derived_fields``: fields made from it on save (HTML, contents, reading grades);
  they are never recorded in the history, and a save touching only them is not
  an edit;
- ``render()``: fills the derived fields;
- ``search_document()``: the words search indexes for the page.

The loader's schema comes from the model's own fields (``front_matter`` names them
in file order; types, lengths and choices come from the model).

Apps can also contribute to every page's rendering without being imported:

- ``glossary_source``: the published glossary entries linked on first use;
- ``html_filters``: functions applied to sanitized HTML (figures are embedded so);
- ``fact_source`` and ``block_source``: the clinic's numbers and the shared blocks
  that pages name in their Markdown (see ``core.includes``);
- ``models``: other models the loader needs by name (areas, images, synonyms).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core import includes


@dataclass(frozen=True)
class PageType:
    model: type
    name: str  # singular, as in messages and the loader ("procedure")
    folder: str  # folder under content/ ("procedures")
    front_matter: tuple[str, ...]  # file keys in order: the loader's schema
    required: frozenset[str] = frozenset()  # file keys that must be given
    file_defaults: dict = field(default_factory=dict)  # defaults in files (status: published)
    sitemap: bool = False  # has its own page listed in sitemap.xml
    name_field: str = "title"  # what the page is called (title, term, question)
    names_are_terms: bool = False  # its names are left out of reading-grade scores
    glossary_links: bool = True  # its text gets glossary pop-ups
    searchable: bool = True  # search indexes it (a page or an entry patients land on)
    check_body: Callable | None = None  # extra checks on the Markdown: [(line, message)]
    load_order: int = 50  # the loader writes lower numbers first (the glossary before pages)

    @property
    def text_field(self) -> str:
        return self.model.text_field

    @property
    def html_field(self) -> str:
        return self.model.html_field

    @property
    def list_fields(self) -> frozenset[str]:
        """TextFields stored one item per line (a list in content files)."""
        return frozenset(getattr(self.model, "list_fields", ()))

    @property
    def derived_fields(self) -> tuple[str, ...]:
        return tuple(self.model.derived_fields)

    @property
    def relations(self) -> dict[str, type]:
        """Front-matter keys that name other records by slug: key -> related model."""
        out = {}
        for name in self.front_matter:
            model_field = self.model._meta.get_field(name)
            if model_field.many_to_many:
                out[name] = model_field.related_model
        return out

    @property
    def reviewed(self) -> bool:
        return hasattr(self.model, "reviewed_on")


class Registry:
    def __init__(self):
        self._types: dict[str, PageType] = {}
        self._by_model: dict[type, PageType] = {}
        self._models: dict[str, type] = {}
        self.glossary_source: Callable[[], list] = list
        self.fact_source: Callable[[], dict] = dict
        self.block_source: Callable[[], dict] = dict
        self.clinic_source: Callable[[], dict] = dict  # the clinic's name, time zone, ...
        self.html_filters: list[Callable[[str], str]] = []
        self.list_pages: list[str] = ["home"]  # URL names of list pages, for the sitemap
        self._paused = threading.local()

    # --- filling it (AppConfig.ready) ----------------------------------------

    def register(self, page_type: PageType) -> None:
        if page_type.name in self._types:
            raise ValueError(f"page type {page_type.name!r} is registered twice")
        self._types[page_type.name] = page_type
        self._by_model[page_type.model] = page_type
        self._models[page_type.name] = page_type.model

    def register_model(self, name: str, model: type) -> None:
        self._models[name] = model

    def add_list_pages(self, *url_names: str) -> None:
        self.list_pages.extend(n for n in url_names if n not in self.list_pages)

    def set_glossary_source(self, source: Callable[[], list]) -> None:
        """``source`` (e.g. a manager's ``entries``) gives the published glossary entries;
        inside ``derived_values()`` it is asked once, and again only after its model changes."""
        model = getattr(getattr(source, "__self__", None), "model", None)
        self.glossary_source = lambda: self.derived("glossary", source, depends_on=(model,))

    def set_fact_source(self, source: Callable[[], dict[str, includes.Fact]]) -> None:
        self.fact_source = source

    def set_block_source(self, source: Callable[[], dict[str, includes.Block]]) -> None:
        self.block_source = source

    def set_clinic_source(self, source: Callable[[], dict]) -> None:
        """The clinic's details as a dict (``name``, ``time_zone``, ...), for code below it."""
        self.clinic_source = source

    def add_html_filter(self, html_filter: Callable[[str], str]) -> None:
        if html_filter not in self.html_filters:
            self.html_filters.append(html_filter)

    # --- reading it --------------------------------------------------------------

    def __iter__(self) -> Iterator[PageType]:
        return iter(self.page_types())

    def page_types(self) -> list[PageType]:
        return sorted(self._types.values(), key=lambda t: t.load_order)

    def models(self) -> list[type]:
        return [page_type.model for page_type in self._types.values()]

    def get(self, name: str) -> PageType:
        return self._types[name]

    def for_model(self, model: type) -> PageType | None:
        return self._by_model.get(model)

    def model(self, name: str) -> type:
        return self._models[name]

    def is_content_model(self, model) -> bool:
        """A page type or a model registered by name: what patients may see changed."""
        if model is None:
            return False
        model = getattr(getattr(model, "_meta", None), "concrete_model", model)
        return model in self._by_model or model in self._models.values()

    def is_page(self, obj) -> bool:
        return self.for_model(type(obj)) is not None

    # --- names in the text: clinic facts and shared blocks --------------------

    def expand(self, text: str, blocks: dict | None = None) -> str:
        """Markdown with the clinic facts and shared blocks it names filled in."""
        blocks = self.block_source() if blocks is None else blocks
        return includes.expand(text, self.fact_source(), blocks)

    def text_problems(self, text: str, *, may_include=True, blocks=None) -> list[tuple[int, str]]:
        """``(line, message)``: unknown names, missing blocks, typed numbers, restated rules."""
        blocks = self.block_source() if blocks is None else blocks
        return includes.text_problems(text, blocks if may_include else {}, may_include=may_include)

    def shared_sources(self, text: str, blocks: dict | None = None) -> list[dict]:
        """The sources of the blocks a text includes, in order, each once."""
        blocks = self.block_source() if blocks is None else blocks
        out, seen = [], set()
        for slug in includes.included(text):
            for source in blocks[slug].sources if slug in blocks else ():
                if source.get("url") not in seen:
                    seen.add(source.get("url"))
                    out.append(dict(source))
        return out

    # --- cascades: one way to pause them -------------------------------------

    @contextlib.contextmanager
    def cascades_paused(self):
        """No follow-up work per save inside (re-rendering pages after a glossary or
        image change, re-indexing search): a bulk operation does it once at the end."""
        depth = getattr(self._paused, "depth", 0)
        self._paused.depth = depth + 1
        try:
            yield
        finally:
            self._paused.depth = depth

    @property
    def cascades_are_paused(self) -> bool:
        return getattr(self._paused, "depth", 0) > 0

    # --- values derived from every page, worked out once per bulk operation -----

    @contextlib.contextmanager
    def derived_values(self, **primed):
        """Inside (a content load), what is derived from every page (the glossary, the
        names left out of reading grades) is worked out once, not on every save, so a
        load's time grows with the content, not with its square. ``primed`` values are
        given by the caller (the loader knows every name it is about to write)."""
        outer = getattr(self._paused, "derived", None)
        if outer is None:
            self._paused.derived = {key: (value, ()) for key, value in primed.items()}
        try:
            yield
        finally:
            if outer is None:
                self._paused.derived = None

    def derived(self, key: str, compute: Callable, depends_on=()):
        values = getattr(self._paused, "derived", None)
        if values is None:
            return compute()
        if key not in values:
            values[key] = (compute(), tuple(m for m in depends_on if m is not None))
        return values[key][0]

    def model_changed(self, model) -> None:
        """Forget derived values made from ``model`` (called on its saves and deletes)."""
        values = getattr(self._paused, "derived", None)
        if values:
            for key in [k for k, (_, models) in values.items() if model in models]:
                del values[key]

    def rerender(self, only: Callable | None = None, skip=()) -> int:
        """Render pages again (after the glossary or an image changed); returns the count.

        ``only(page_type)`` may return a queryset filter (a Q) or None to skip the type.
        Saves only the derived fields, so nothing is recorded as an edit.
        """
        skip = {(type(obj), obj.pk) for obj in skip}
        count = 0
        for page_type in self:
            queryset = page_type.model.objects.all()
            if only is not None:
                condition = only(page_type)
                if condition is None:
                    continue
                queryset = queryset.filter(condition)
            for page in queryset:
                if (type(page), page.pk) in skip:
                    continue
                page.render()
                page.save(update_fields=list(page.derived_fields))
                count += 1
        return count


registry = Registry()
