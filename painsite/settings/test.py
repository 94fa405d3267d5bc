"""Fast, isolated test settings. DATABASE_URL (from the environment) still picks the engine."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-painsite"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = BASE_DIR / "media-test"  # noqa: F405
