"""Every page type, and the admin, carries the security headers, with production's settings."""

import io
import logging
import re

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from painsite.middleware import RequestIDFilter
from tests.factories import make_condition, make_faq, make_procedure, make_term, make_user
from tests.security import production_security_settings, unsafe_html

pytestmark = pytest.mark.django_db

PRODUCTION = production_security_settings()
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # what the TLS proxy adds


@pytest.fixture
def production():
    with override_settings(**PRODUCTION):
        yield Client(**HTTPS)


@pytest.fixture
def content():
    condition = make_condition(slug="sciatica-test")
    procedure = make_procedure(slug="nerve-block-test", conditions=[condition])
    make_faq(procedures=[procedure])
    make_term()
    return {"procedure": procedure, "condition": condition}


PAGES = {
    "home": (lambda c: reverse("home"), 200),
    "procedure list": (lambda c: reverse("procedures:list"), 200),
    "procedure detail": (lambda c: c["procedure"].get_absolute_url(), 200),
    "where it hurts": (lambda c: reverse("procedures:where_it_hurts"), 200),
    "condition list": (lambda c: reverse("conditions:list"), 200),
    "condition detail": (lambda c: c["condition"].get_absolute_url(), 200),
    "faq": (lambda c: reverse("faq:list"), 200),
    "glossary": (lambda c: reverse("glossary:list"), 200),
    "sitemap": (lambda c: reverse("sitemap"), 200),
    "robots.txt": (lambda c: reverse("robots_txt"), 200),
    "404": (lambda c: "/no-such-page/", 404),
    "admin login": (lambda c: reverse("admin:login"), 200),
}


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = csp_directives(policy)
    for name in ("default-src", "frame-ancestors", "base-uri", "object-src"):
        assert directives[name] == ["'none'"], name
    for name in ("script-src", "style-src", "img-src", "font-src", "form-action"):
        assert directives[name] == ["'self'"], name
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["X-Request-ID"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_type_has_every_header(production, content, page):
    url, status = PAGES[page]
    response = production.get(url(content))
    assert response.status_code == status
    assert_security_headers(response)
    if response["Content-Type"].startswith("text/html"):
        assert unsafe_html(response.content.decode()) == []


@pytest.mark.parametrize("page", ["admin index", "change list", "change form", "add form"])
def test_admin_pages_have_the_headers_and_nothing_the_csp_blocks(production, content, page):
    production.force_login(make_user(superuser=True))
    url = {
        "admin index": reverse("admin:index"),
        "change list": reverse("admin:procedures_procedure_changelist"),
        "change form": reverse("admin:procedures_procedure_change", args=[content["procedure"].pk]),
        "add form": reverse("admin:procedures_procedure_add"),
    }[page]
    response = production.get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert unsafe_html(response.content.decode()) == []


def test_plain_http_through_the_proxy_redirects_to_https(content):
    with override_settings(**PRODUCTION):
        response = Client(HTTP_X_FORWARDED_PROTO="http").get(reverse("faq:list"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + reverse("faq:list")


def test_cookies_are_secure_host_only_and_samesite(production):
    make_user("editor", staff=True, password="a-long-test-password")
    login = reverse("admin:login")
    response = production.get(login)
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Strict"
    assert csrf["path"] == "/" and not csrf["domain"]
    response = production.post(
        login,
        {"username": "editor", "password": "a-long-test-password", "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    assert session["max-age"] == 8 * 3600


def test_public_pages_are_cacheable_and_answer_conditional_requests(production, content):
    url = content["procedure"].get_absolute_url()
    response = production.get(url)
    assert response["Cache-Control"] == "public, max-age=300"
    etag = response["ETag"]
    again = production.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    changed = production.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_signed_in_pages_are_private(production, content):
    production.force_login(make_user(staff=True))
    response = production.get(content["procedure"].get_absolute_url())
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_request_id_is_echoed_only_when_sane(production):
    response = production.get(reverse("home"), HTTP_X_REQUEST_ID="abc12345-proxy")
    assert response["X-Request-ID"] == "abc12345-proxy"
    response = production.get(reverse("home"), HTTP_X_REQUEST_ID="evil\r\nSet-Cookie: x=1")
    assert len(response["X-Request-ID"]) == 32 and "evil" not in response["X-Request-ID"]


def boom(request):
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("boom/", boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_errors_are_logged_with_the_request_id_and_never_shown(production):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIDFilter())
    handler.setFormatter(logging.Formatter("[%(request_id)s] %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client = Client(raise_request_exception=False, **HTTPS)
        response = client.get("/boom/", HTTP_X_REQUEST_ID="req-0000-1111")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    page = response.content.decode()
    assert "hunter2" not in page and "Traceback" not in page and "SECRET_KEY" not in page
    assert response["X-Request-ID"] == "req-0000-1111"
    log = stream.getvalue()
    assert "[req-0000-1111] Internal Server Error: /boom/" in log
    assert "hunter2" in log  # the details go to the log, not the visitor


def test_static_files_are_hashed_compressed_and_cached_forever(tmp_path, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    url = staticfiles_storage.url("css/site.css")
    assert re.search(r"/site\.[0-9a-f]{12}\.css$", url)
    client = Client()  # a new client builds whitenoise afresh, over the collected files
    for encoding in ("br", "gzip"):
        response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response["X-Content-Type-Options"] == "nosniff"
