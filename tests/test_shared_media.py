"""Uploaded images on storage every app server shares: an S3-compatible bucket through
django-storages, tested against moto's server mode; the local folder stays the default."""

import socket

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings

from painsite.settings.base import media_storage
from tests.factories import make_figure

BUCKET = "painsite-media-test"


def test_the_local_folder_is_the_default():
    assert media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_is_used_when_named():
    storage = media_storage({"MEDIA_S3_BUCKET": BUCKET, "SITE_URL": "https://www.example.org"})
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == BUCKET and options["default_acl"] is None
    assert options["custom_domain"] == "www.example.org/media"
    assert options["url_protocol"] == "https:"


@pytest.fixture
def s3(monkeypatch):
    """moto's S3 in server mode (a real HTTP endpoint, as another app server would see)."""
    pytest.importorskip("moto.server")
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    storage = media_storage(
        {
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": endpoint,
            "SITE_URL": "http://testserver",
        }
    )
    try:
        with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
            yield client
    finally:
        server.stop()


@pytest.mark.django_db
def test_an_upload_lands_in_the_bucket_and_is_served_by_the_site(s3, client):
    figure = make_figure("shared-diagram")
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert figure.image.name in keys and len(keys) >= 2  # the image and its smaller copies
    assert not any(key.startswith(str(settings.MEDIA_ROOT)) for key in keys)

    # Same origin: the page's address for the image is the site's /media/, which reads
    # the bucket, so any app server serves an image uploaded through any other.
    url = default_storage.url(figure.image.name)
    assert url == f"http://testserver/media/{figure.image.name}"
    response = client.get(f"/media/{figure.image.name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "immutable" in response["Cache-Control"]
    stored = s3.get_object(Bucket=BUCKET, Key=figure.image.name)["Body"].read()
    assert b"".join(response.streaming_content) == stored
    assert client.get("/media/figures/no-such.jpg").status_code == 404
