"""Serving uploaded images when no web server in front does it (DEBUG on or off).

Only re-encoded images under MEDIA_ROOT/figures/ are served; ``django.views.static.serve``
resolves the path safely inside MEDIA_ROOT (no ``..`` escapes). File names are
random and never reused, so responses may be cached for a year.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

SERVED_SUFFIXES = {".jpg", ".png", ".webp"}
ONE_YEAR = 365 * 24 * 3600


@require_safe
def media(request, path):
    parts = PurePosixPath(path).parts
    if not parts or parts[0] != "figures" or PurePosixPath(path).suffix not in SERVED_SUFFIXES:
        raise Http404("Not an image")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
