from django.utils.cache import patch_cache_control
from django.views.generic import TemplateView

from . import body_parts, service


class SearchView(TemplateView):
    """``/search/?q=``: published pages only; never logs what was searched for."""

    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        search = service.search(raw if isinstance(raw, str) else "")
        context["search"] = search
        context["coverage"] = body_parts.coverage(search.query) if search.searched else None
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        # What someone searched for may be about their health: no shared cache keeps it.
        patch_cache_control(response, private=True, no_store=True)
        return response
