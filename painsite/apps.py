from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the clinic's admin site as ``admin.site``.

    The site (``painsite.admin_site``) adds the clinic's name and task sections to the
    two-step sign-in of ``accounts.admin_site``.
    """

    default = False  # chosen by its dotted path in INSTALLED_APPS
    default_site = "painsite.admin_site.ClinicAdminSite"
