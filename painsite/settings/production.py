"""Production: everything secret or site-specific comes from the environment.

The environment may be given in a ``.env`` file in the project folder (or the file
named by ``PAINSITE_ENV_FILE``; set it empty to read none); real environment
variables win over the file. A missing ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` or ``REDIS_URL`` stops the process at start-up with a clear
message; there is no fallback secret and DEBUG is always off.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from painsite.envfile import load_env_file

# Before base reads the environment (DATABASE_URL, REDIS_URL, ...).
load_env_file()


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production "
            f"(see .env.example and docs/deployment.md)."
        )
    return value


# Checked before base reads them, so the message is ours rather than a parser's.
for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
    required(_name)

from .base import *  # noqa: E402, F403
from .base import env_bool, env_list  # noqa: E402

DEBUG = False

SECRET_KEY = required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use at least 50 random characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# DATABASES (PostgreSQL via psycopg 3, health checks, persistent connections) and CACHES
# (Redis) were built by base from DATABASE_URL and REDIS_URL.

# The site sits behind a TLS-terminating proxy that sets X-Forwarded-Proto and
# appends the visitor's address to X-Forwarded-For.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # false only to try it on plain http
# The TLS proxy on this machine, unless TRUSTED_PROXIES names others (gunicorn's
# FORWARDED_ALLOW_IPS defaults to the same list).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in TRUSTED_PROXIES:  # a wrong entry stops start-up with a clear message
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(e.g. 127.0.0.1, ::1 or 10.0.0.0/8)."
        ) from None
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# __Host- cookies: only ever set over HTTPS, for this exact host, for the whole site.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"

PAINSITE_REQUIRE_2FA = env_bool("PAINSITE_REQUIRE_2FA", True)

# Email (review reminders) through the clinic's SMTP server when EMAIL_HOST is set;
# without it, emails are written to the log (console backend) and nothing is sent.
if os.environ.get("EMAIL_HOST", "").strip():
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"].strip()
    try:
        EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    except ValueError:
        raise ImproperlyConfigured("EMAIL_PORT must be a port number, e.g. 587.") from None
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 30
    # The sender must be an address the clinic owns: no default that mail servers reject.
    DEFAULT_FROM_EMAIL = required("DEFAULT_FROM_EMAIL")
    SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Hashed, compressed (gzip and brotli) static files; whitenoise serves the hashed ones
# with far-future "immutable" cache headers.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
