from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: two-step verification (django-otp) and the commands to enrol staff."""

    name = "accounts"
    verbose_name = "Staff sign-in"
