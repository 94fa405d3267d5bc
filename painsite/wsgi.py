"""WSGI entry point (gunicorn painsite.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painsite.settings.production")

application = get_wsgi_application()
