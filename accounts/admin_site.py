"""The admin site: Django's, plus a second sign-in step when ``PAINSITE_REQUIRE_2FA`` is on.

With the setting on, a staff member who has signed in with a password but has not
yet entered a code from their authenticator app (or a recovery code) in this
session is treated as not allowed in: every admin page sends them to the
``verify/`` step, which then takes them where they were going.

A staff member with no device yet is sent from there to ``two-step/set-up/``: a QR
code for their authenticator app, a code to confirm it, then ten recovery codes,
shown once. ``two-step/`` shows how many recovery codes are left and makes new
ones. The administrator resets a staff member from the user's admin page
(``accounts/admin.py``); ``manage.py enrol_2fa`` stays for emergencies.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import otp
from accounts.otp import has_device, match_token


class SetUpForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=16,
        help_text="The 6-digit code the app shows for this website.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class VerifyForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        help_text=(
            "The 6-digit code your authenticator app shows now, "
            "or one of your recovery codes (each works once)."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


def requires_second_step(request) -> bool:
    user = request.user
    return bool(
        settings.PAINSITE_REQUIRE_2FA
        and user.is_active
        and user.is_staff
        and not getattr(user, "is_verified", lambda: False)()
    )


class PainsiteAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not requires_second_step(request)

    def get_urls(self):
        return [
            path("verify/", self.verify_view, name="verify"),
            path("verify/sign-out/", self.verify_sign_out, name="verify_sign_out"),
            path("two-step/set-up/", self.set_up_view, name="two_step_set_up"),
            path("two-step/", self.admin_view(self.two_step_view), name="two_step"),
        ] + super().get_urls()

    def _next_url(self, request) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:index", current_app=self.name)

    def login(self, request, extra_context=None):
        if request.method == "GET" and requires_second_step(request):
            query = urlencode({"next": self._next_url(request)})
            return redirect(f"{reverse('admin:verify', current_app=self.name)}?{query}")
        return super().login(request, extra_context)

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @method_decorator(require_POST)
    def verify_sign_out(self, request):
        """Sign out from the second step (the admin's own logout needs a verified user)."""
        auth_logout(request)
        return redirect(reverse("admin:login", current_app=self.name))

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def verify_view(self, request):
        """The second sign-in step: a code from the authenticator app, or a recovery code."""
        user = request.user
        if not (user.is_active and user.is_staff):
            query = urlencode({"next": self._next_url(request)})
            return redirect(f"{reverse('admin:login', current_app=self.name)}?{query}")
        if not requires_second_step(request):
            return redirect(self._next_url(request))
        if not has_device(user):  # first sign-in: set up the app now
            query = urlencode({"next": self._next_url(request)})
            return redirect(f"{reverse('admin:two_step_set_up', current_app=self.name)}?{query}")
        form = VerifyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = match_token(user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(self._next_url(request))
            form.add_error(
                "token",
                "That code did not work. Codes from the app change every 30 seconds: "
                "type the one it shows now, or use a recovery code you have not used before.",
            )
        context = {
            **self.each_context(request),
            "title": "Two-step sign-in",
            "form": form,
            "has_device": has_device(user),
            "next": self._next_url(request),
        }
        return TemplateResponse(request, "accounts/verify.html", context)

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def set_up_view(self, request):
        """Set up an authenticator app: QR code, a code to confirm, then recovery codes once.

        Open to a signed-in staff member with no device yet (their first sign-in), and
        to one who has passed the second step (to move to a new phone). Someone with a
        device who has not passed the second step must do that first.
        """
        user = request.user
        if not (user.is_active and user.is_staff):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('admin:login', current_app=self.name)}?{query}")
        if has_device(user) and requires_second_step(request):
            query = urlencode({"next": self._next_url(request)})
            return redirect(f"{reverse('admin:verify', current_app=self.name)}?{query}")
        device = otp.pending_app(user)
        form = SetUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if otp.confirm_app(user, device, form.cleaned_data["token"]):
                otp_login(request, device)
                codes = None
                if otp.recovery_codes_left(user) == 0:
                    codes = otp.new_recovery_codes(user)
                return self._recovery_codes_response(
                    request, codes, next_url=self._next_url(request), just_set_up=True
                )
            form.add_error(
                "token",
                "That code did not work. Check that the app shows this website, then type "
                "the code it shows now (codes change every 30 seconds).",
            )
        context = {
            **self.each_context(request),
            "title": "Set up two-step sign-in",
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "key": otp.spaced_key(device),
            "next": self._next_url(request),
            "replacing": otp.has_app(user),
        }
        return TemplateResponse(request, "accounts/set_up.html", context)

    def two_step_view(self, request):
        """Your two-step sign-in: how many recovery codes are left; make new ones."""
        user = request.user
        if request.method == "POST" and request.POST.get("action") == "new_codes":
            codes = otp.new_recovery_codes(user)
            return self._recovery_codes_response(request, codes)
        context = {
            **self.each_context(request),
            "title": "Two-step sign-in",
            "has_app": otp.has_app(user),
            "codes_left": otp.recovery_codes_left(user),
            "count": otp.RECOVERY_CODE_COUNT,
        }
        return TemplateResponse(request, "accounts/two_step.html", context)

    def _recovery_codes_response(self, request, codes, *, next_url=None, just_set_up=False):
        """The page that shows new recovery codes: once, in the answer to the POST."""
        context = {
            **self.each_context(request),
            "title": "Your recovery codes" if codes else "Two-step sign-in is set up",
            "codes": codes,
            "just_set_up": just_set_up,
            "next": next_url or reverse("admin:two_step", current_app=self.name),
            "codes_left": otp.recovery_codes_left(request.user),
        }
        response = TemplateResponse(request, "accounts/recovery_codes.html", context)
        add_never_cache_headers(response)
        return response
