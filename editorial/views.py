"""Staff-only preview of draft pages on the public page templates."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from accounts.admin_site import requires_second_step


class PreviewableDetailView(DetailView):
    """A published page for everyone; a draft only for staff allowed to edit it.

    The draft preview carries a banner (``is_preview`` in the context), ``noindex``
    and no-cache headers. Everyone else gets a 404 for a draft.
    """

    def can_preview(self) -> bool:
        if settings.SESSION_COOKIE_NAME not in self.request.COOKIES:
            return False  # nobody signed in; not reading the session keeps Vary: Cookie off
        user = self.request.user
        opts = self.model._meta
        return (
            user.is_active
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            and not requires_second_step(self.request)  # drafts, like the admin, need 2FA
        )

    def get_queryset(self):
        queryset = self.model.objects.for_detail()
        return queryset if self.can_preview() else queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["is_preview"]:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
