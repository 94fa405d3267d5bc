"""Fast, isolated test settings. DATABASE_URL (from the environment) still picks the engine."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-painsite"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# CACHES come from base: Redis when REDIS_URL is set (CI's PostgreSQL run), else local memory.
# Each test process gets its own key prefix so parallel runs sharing one Redis never collide,
# unless PAINSITE_TEST_CACHE_PREFIX names one (the app servers of tests/test_scale_out.py).
if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = os.environ.get(  # noqa: F405
        "PAINSITE_TEST_CACHE_PREFIX", f"painsite-test-{os.getpid()}"
    )
MEDIA_ROOT = BASE_DIR / "media-test"  # noqa: F405

# Static files from the finders, as in development: no collectstatic needed for tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
