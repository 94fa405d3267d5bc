"""Compressed HTML for public pages, never for a response with a secret (core/compression.py)."""

import gzip

import brotli
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core import compression, page_cache
from tests.factories import make_procedure, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return make_procedure(slug="squeeze-me")


def decoded(response) -> bytes:
    encoding = response.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.content)
    if encoding == "gzip":
        return gzip.decompress(response.content)
    return response.content


@pytest.mark.parametrize("state", ["miss", "hit"])
@pytest.mark.parametrize(
    "header, expected",
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None)],
)
def test_public_pages_are_compressed_as_the_client_asks(client, procedure, state, header, expected):
    url = procedure.get_absolute_url()
    plain = Client().get(url).content if state == "hit" else None
    response = client.get(url, HTTP_ACCEPT_ENCODING=header)
    assert response[page_cache.HEADER] == state
    assert response.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response["Vary"] and "Cookie" not in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content)
    if plain is not None:
        assert decoded(response) == plain
    if expected:
        assert len(response.content) < len(decoded(response)) / 3


def test_search_results_are_compressed_though_never_cached(client, procedure):
    response = client.get(reverse("search:results"), {"q": "injection"}, HTTP_ACCEPT_ENCODING="br")
    assert response[page_cache.HEADER] == "bypass"
    assert response["Content-Encoding"] == "br"
    assert b"<html" in decoded(response)


def test_admin_and_signed_in_pages_are_never_compressed(procedure):
    staff = Client()
    staff.force_login(make_user(staff=True, superuser=True))
    for url in (reverse("admin:index"), procedure.get_absolute_url()):
        response = staff.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert response.status_code == 200
        assert "Content-Encoding" not in response, url
    login = Client().get(reverse("admin:login"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert b"csrfmiddlewaretoken" in login.content
    assert "Content-Encoding" not in login


def test_production_settings_compress_too(procedure):
    from tests.security import production_security_settings

    with override_settings(**production_security_settings()):
        response = Client(HTTP_X_FORWARDED_PROTO="https").get(
            procedure.get_absolute_url(), HTTP_ACCEPT_ENCODING="br"
        )
    assert response["Content-Encoding"] == "br"


def test_accept_encoding_parsing():
    class Request:
        def __init__(self, header):
            self.META = {"HTTP_ACCEPT_ENCODING": header}

    assert compression.accepted(Request("gzip;q=1.0, br;q=0.5")) == ["br", "gzip"]
    assert compression.accepted(Request("*")) == ["br", "gzip"]
    assert compression.accepted(Request("identity")) == []
    assert compression.accepted(Request("br;q=0")) == []
