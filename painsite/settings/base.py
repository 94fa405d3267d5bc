"""Settings shared by every environment. Values that differ come from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp import constants as _csp

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CONTENT_DIR = Path(os.environ.get("PAINSITE_CONTENT_DIR", BASE_DIR / "content"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

INSTALLED_APPS = [
    "painsite.apps.ClinicAdminConfig",  # django.contrib.admin: clinic's name, two-step sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts.apps.AccountsConfig",
    "core",
    "procedures",
    "faq",
    "plans",
    "glossary",
    "editorial",
    "clinic",
    "safety",
    "search",
    "figures",
    "feedback",
    "simple_history",
]

MIDDLEWARE = [
    "painsite.middleware.RequestIDMiddleware",
    "clinic.middleware.ClinicTimeZoneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "painsite.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages: compressed (never with a secret), then whole from the page cache,
    # before the session, auth, two-step, lockout and history middleware run.
    "core.compression.CompressionMiddleware",
    "core.page_cache.PageCacheMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "painsite.middleware.CacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "painsite.urls"
WSGI_APPLICATION = "painsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "painsite.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite lets one writer at a time in. Each transaction takes the write lock when it
# starts (IMMEDIATE), so two staff saves queue for it instead of one failing with
# "database is locked" when it tries to upgrade a read; a writer waits up to
# SQLITE_BUSY_TIMEOUT seconds (below gunicorn's 30 s timeout). Write-ahead logging
# lets pages be read while someone saves.
SQLITE_BUSY_TIMEOUT = int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads up to just over the 10 MB image limit are held in memory, not in a temporary
# file: a full disk then fails only the storing of the image, which says so clearly.
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024


def media_storage(environ=os.environ) -> dict:
    """Where uploaded images are kept: MEDIA_ROOT on this machine (the default), or an
    S3-compatible bucket every app server shares when MEDIA_S3_BUCKET is set.

    The bucket stays private: images are still served at /media/ by the site itself
    (figures.views.media reads them from the storage), so pages keep one origin and the
    CSP's img-src 'self'. Credentials come the usual AWS way (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or the machine's role).
    """
    bucket = environ.get("MEDIA_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    site = environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    protocol, _, host = site.partition("//")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MEDIA_S3_REGION") or None,
            "default_acl": None,  # private: the bucket's own policy
            "querystring_auth": False,
            "file_overwrite": False,  # a new name for every upload, as on disk
            # Image addresses on this site: <SITE_URL>/media/<name>.
            "custom_domain": f"{host}{MEDIA_URL.rstrip('/')}",
            "url_protocol": protocol,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Site-wide facts used by templates, canonical URLs and structured data.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- security (see docs/deployment.md; production.py tightens the transport settings) ---------

# The admin lives at /<ADMIN_URL>; code and templates use reverse("admin:index"), never a path.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Staff must enter a code from an authenticator app (or a recovery code) after their password.
PAINSITE_REQUIRE_2FA = env_bool("PAINSITE_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Clinic website")
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed; from
# anyone else the header is ignored (painsite.security.client_ip). Default: none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# "Was this page helpful?": at most this many answers per visitor address per window (seconds).
FEEDBACK_RATE_LIMIT = int(os.environ.get("FEEDBACK_RATE_LIMIT", "10"))
FEEDBACK_RATE_WINDOW = int(os.environ.get("FEEDBACK_RATE_WINDOW", "600"))
FEEDBACK_CLIENT_IP = "painsite.security.client_ip"  # the visitor's address, as for lockouts
# How long browsers and shared caches may keep a public page.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# How long the page cache (core/page_cache.py) keeps a page; any content change
# makes it obsolete at once, so this only bounds memory and date-dependent text.
PAGE_CACHE_STORE_SECONDS = int(os.environ.get("PAGE_CACHE_STORE_SECONDS", "3600"))

AUTHENTICATION_BACKENDS = [
    "painsite.security.AxesBackend",  # lockout check first, as django-axes requires
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "painsite.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Staff sessions end 8 hours after sign-in (a working day); the public site needs no session.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # the admin never reads it from JavaScript
CSRF_COOKIE_SAMESITE = "Strict"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): everything from this site only, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_csp.NONE],
        "script-src": [_csp.SELF],
        "style-src": [_csp.SELF],
        "img-src": [_csp.SELF],
        "font-src": [_csp.SELF],
        "connect-src": [_csp.SELF],
        "manifest-src": [_csp.SELF],
        "form-action": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
        "base-uri": [_csp.NONE],
        "object-src": [_csp.NONE],
    },
}

# Email (review reminders): printed to the console unless production settings get an
# SMTP server from the environment (see production.py and docs/deployment.md).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Redis when REDIS_URL is set (production, and CI's PostgreSQL run), else this process's memory.
# If Redis goes down, pages are built from the database and a warning is logged
# (painsite/cache.py); short timeouts keep an unreachable Redis from holding up a worker.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "painsite.cache.TolerantRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "painsite"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Logs go to stderr, one line each, with the request id (also sent as X-Request-ID).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "painsite.middleware.RequestIDFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
