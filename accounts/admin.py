"""Users in the admin: whether two-step sign-in is set up, and the administrator's reset.

Only superusers (the clinic's administrator) can reset a staff member's two-step
sign-in: from the button on the user's page, or the action on the user list. The
staff member then sets it up again with a QR code at their next sign-in.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import otp

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "two_step"]
    actions = ["reset_two_step"]
    # Set by Django, never typed: read-only, so the form has no date-and-time boxes
    # (and no "You are N hours ahead of server time" note beside them).
    readonly_fields = ["last_login", "date_joined"]
    change_form_template = "admin/accounts/user_change_form.html"

    @admin.display(description="Two-step sign-in")
    def two_step(self, obj):
        return "Set up" if otp.has_device(obj) else "Not set up yet"

    def has_reset_two_step_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @admin.action(
        description="Reset two-step sign-in (they set it up again at next sign-in)",
        permissions=["reset_two_step"],
    )
    def reset_two_step(self, request, queryset):
        for user in queryset:
            otp.reset(user, by=request.user)
        self.message_user(
            request,
            f"Two-step sign-in was reset for {len(queryset)} user(s). They set it up again "
            "with a QR code the next time they sign in.",
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reset-two-step/",
                self.admin_site.admin_view(self.reset_two_step_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_reset_two_step",
            )
        ] + super().get_urls()

    def reset_two_step_view(self, request, object_id):
        """Confirm, then remove the user's authenticator app and recovery codes."""
        if not self.has_reset_two_step_permission(request):
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[user.pk],
            current_app=self.admin_site.name,
        )
        if request.method == "POST":
            otp.reset(user, by=request.user)
            self.message_user(
                request,
                f"Two-step sign-in was reset for {user.get_username()}. They set it up again "
                "with a QR code the next time they sign in.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Reset two-step sign-in?",
            "subject": user,
            "opts": self.opts,
            "change_url": change_url,
            "has_device": otp.has_device(user),
            "is_self": user == request.user,
        }
        return TemplateResponse(request, "accounts/reset_two_step.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_reset_two_step": self.has_reset_two_step_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
