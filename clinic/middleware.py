"""Dates and times (review dates, "today") in the clinic's own time zone."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from .models import clinic_details


class ClinicTimeZoneMiddleware:
    """Activate the clinic's time zone (Clinic details) for the request: cached, no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            timezone.activate(zoneinfo.ZoneInfo(clinic_details().get("time_zone") or "UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
