from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: two-step verification (django-otp) and the commands to enrol staff."""

    name = "accounts"
    verbose_name = "Staff sign-in"


class PainsiteAdminConfig(AdminConfig):
    """``django.contrib.admin`` with our admin site as ``admin.site`` (see accounts.admin_site)."""

    default = False  # chosen by its dotted path in INSTALLED_APPS
    default_site = "accounts.admin_site.PainsiteAdminSite"
