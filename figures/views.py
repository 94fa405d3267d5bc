"""Serving uploaded images when no web server in front does it (DEBUG on or off).

Only re-encoded images under figures/ are served. On disk (the default),
``django.views.static.serve`` resolves the path safely inside MEDIA_ROOT (no ``..``
escapes); from a shared bucket (``MEDIA_S3_BUCKET``), the image is read through the
storage, so every app server serves every upload. File names are random and never
reused, so responses may be cached for a year.
"""

import mimetypes
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

SERVED_SUFFIXES = {".jpg", ".png", ".webp"}
ONE_YEAR = 365 * 24 * 3600


@require_safe
def media(request, path):
    parts = PurePosixPath(path).parts
    if not parts or parts[0] != "figures" or PurePosixPath(path).suffix not in SERVED_SUFFIXES:
        raise Http404("Not an image")
    if isinstance(storages["default"], FileSystemStorage):
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    else:
        response = _from_storage(path)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _from_storage(path: str) -> FileResponse:
    if ".." in PurePosixPath(path).parts or not default_storage.exists(path):
        raise Http404("No such image")
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return FileResponse(default_storage.open(path, "rb"), content_type=content_type)
