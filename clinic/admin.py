from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from editorial.locking import VersionLockedForm

from .models import SINGLETON_PK, ClinicDetails

STALE_MESSAGE = (
    "Someone else saved the clinic details after you opened this page, so your changes "
    "were not saved. Copy anything you typed, reload the page, and make your changes again."
)


class ClinicDetailsForm(VersionLockedForm):
    stale_message = STALE_MESSAGE

    class Meta:
        model = ClinicDetails
        fields = [
            "name",
            "phone",
            "address",
            "hours",
            "out_of_hours",
            "email",
            "after_hours_phone",
            "emergency_number",
            "ambulance_number",
            "crisis_line",
            "country",
            "time_zone",
        ]


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(admin.ModelAdmin):
    """One record: the list page goes straight to it (or to "add" the first time)."""

    form = ClinicDetailsForm
    fieldsets = [
        ("Shown in the header and footer", {"fields": ["name", "phone", "email"]}),
        ("Visiting and opening hours", {"fields": ["address", "hours", "out_of_hours"]}),
        (
            "Numbers for urgent help, shown on every page",
            {
                "description": (
                    "Pages never type these numbers: they name them, and every page shows "
                    "what you enter here, as a link patients can tap to call."
                ),
                "fields": [
                    "after_hours_phone",
                    "emergency_number",
                    "ambulance_number",
                    "crisis_line",
                ],
            },
        ),
        ("Where the clinic is", {"fields": ["country", "time_zone"]}),
        (None, {"fields": ["loaded_version"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClinicDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        if ClinicDetails.objects.filter(pk=SINGLETON_PK).exists():
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[SINGLETON_PK])
        else:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        return HttpResponseRedirect(url)
