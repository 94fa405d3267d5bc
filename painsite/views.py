"""Error views (the rest of the site's views live in its apps)."""

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from clinic.models import CACHE_KEY as CLINIC_CACHE_KEY


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, rendered without context processors so it cannot fail the same way.

    The clinic's details come from the cache if they are there; otherwise the page
    leaves the phone number out rather than show an example number.
    """
    try:
        clinic = cache.get(CLINIC_CACHE_KEY) or {}
    except Exception:  # the cache itself may be what is broken
        clinic = {}
    html = loader.get_template("500.html").render({"clinic": clinic})
    return HttpResponse(html, status=500)
