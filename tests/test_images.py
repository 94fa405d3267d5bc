"""Images: only safe, re-encoded JPEG/PNG/WebP; renditions; alt text; load_content; serving."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from editorial import loader
from figures import images
from figures.models import Figure
from tests.admin_forms import admin_url
from tests.factories import make_figure, make_procedure, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt="JPEG", size=(800, 600), mode="RGB", **save_args):
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else None).save(buffer, fmt, **save_args)
    return buffer.getvalue()


def jpeg_with_gps_and_rotation():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 26.0, 46.0)
    gps[3], gps[4] = "W", (79.0, 58.0, 56.0)
    return image_bytes("JPEG", size=(600, 300), exif=exif)


def test_gps_exif_is_removed_and_orientation_applied():
    data = jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload has GPS
    processed = images.process(data, "holiday.JPG")
    out = Image.open(io.BytesIO(processed.data))
    assert not out.getexif()  # no EXIF at all, so no GPS
    assert b"CameraMaker" not in processed.data
    assert (out.width, out.height) == (300, 600)  # turned upright


def test_decompression_bomb_is_refused():
    bomb = image_bytes("PNG", size=(20000, 20000), mode="1")  # small file, 400 megapixels
    assert len(bomb) < 1_000_000
    with pytest.raises(images.ImageRejected, match="decompression bomb|pixels"):
        images.process(bomb, "bomb.png")


def test_over_6000_pixels_a_side_is_refused():
    with pytest.raises(images.ImageRejected, match="at most 6000"):
        images.process(image_bytes("PNG", size=(6001, 10), mode="L"), "wide.png")


def test_over_10_mb_is_refused():
    with pytest.raises(images.ImageRejected, match="at most 10 MB"):
        images.process(b"\xff\xd8" + b"0" * (10 * 1024 * 1024), "huge.jpg")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (image_bytes("PNG"), "photo.jpg", "ends in .jpg but it is a PNG"),
        (image_bytes("JPEG"), "photo.gif", "not a .jpg"),
        (image_bytes("GIF", mode="L"), "photo.gif", "not a .jpg"),
        (b"MZ\x90\x00 not an image at all", "photo.jpg", "not a JPEG, PNG or WebP"),
        (image_bytes("JPEG")[:200], "cut.jpg", "damaged|incomplete"),
    ],
)
def test_wrong_type_or_extension_is_refused(data, name, message):
    with pytest.raises(images.ImageRejected, match=message):
        images.process(data, name)


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(images.ImageRejected):
        images.process(svg, "diagram.svg")
    with pytest.raises(images.ImageRejected):
        images.process(svg, "diagram.png")


def test_png_with_a_trailing_script_is_re_encoded_without_it():
    data = image_bytes("PNG") + b"<script>alert('polyglot')</script>"
    processed = images.process(data, "diagram.png")
    assert b"<script" not in processed.data
    assert Image.open(io.BytesIO(processed.data)).format == "JPEG"  # no alpha: JPEG fallback


def test_transparent_png_stays_png():
    processed = images.process(image_bytes("PNG", mode="RGBA"), "logo.png")
    assert processed.extension == "png"


def test_figure_gets_renditions_and_a_server_chosen_name(media_root):
    figure = make_figure("spine", size=(2000, 1000))
    assert [r["width"] for r in figure.renditions] == [480, 960, 1440]
    assert figure.image.name.startswith("figures/") and "upload" not in figure.image.name
    for rendition in figure.renditions:
        webp = Image.open(media_root / rendition["webp"])
        assert webp.format == "WEBP" and webp.width == rendition["width"]
        assert Image.open(media_root / rendition["fallback"]).format == "JPEG"
    small = make_figure("small", size=(700, 350))
    assert [r["width"] for r in small.renditions] == [480, 700]


def test_markdown_reference_shows_a_responsive_lazy_image():
    figure = make_figure(
        "clinic-room", alt="The procedure room", caption="Our room", credit="Clinic"
    )
    page = make_procedure(body="## What it is\n\n![ignored](images/clinic-room.jpg)\n\nText.")
    html = page.body_html
    assert "<figure" in html and "<picture>" in html
    assert 'type="image/webp"' in html and "480w" in html and "1440w" in html
    assert 'loading="lazy"' in html and 'width="1440"' in html and 'height="' in html
    assert 'alt="The procedure room"' in html and "Our room" in html and "Clinic" in html
    # Changing the figure's alt text updates the page.
    figure.alt = "The clinic's procedure room"
    figure.save()
    page.refresh_from_db()
    assert "The clinic&#x27;s procedure room" in page.body_html


def test_decorative_figure_has_empty_alt():
    make_figure("swirl", alt="", decorative=True)
    page = make_procedure(body="## What it is\n\n![](images/swirl)\n")
    assert 'alt=""' in page.body_html


def admin_post(client, upload, **fields):
    data = {"key": "upload-test", "alt": "A diagram of the spine", "image": upload}
    data.update(fields)
    return client.post(admin_url(Figure, "add"), data)


def test_admin_upload_is_processed(client):
    client.force_login(make_reviewer())
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps_and_rotation(), "image/jpeg")
    assert admin_post(client, upload).status_code == 302
    figure = Figure.objects.get(key="upload-test")
    figure.image.open("rb")
    assert not Image.open(figure.image).getexif()
    assert figure.renditions


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("x.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("bomb.png", image_bytes("PNG", size=(20000, 20000), mode="1")),
    ],
)
def test_admin_refuses_bad_uploads_and_saves_nothing(client, name, data):
    client.force_login(make_reviewer())
    response = admin_post(client, SimpleUploadedFile(name, data))
    assert response.status_code == 200
    assert "This image cannot be used" in response.content.decode()
    assert not Figure.objects.exists()


def test_admin_requires_alt_text_unless_decorative(client):
    client.force_login(make_reviewer())
    upload = SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")
    response = admin_post(client, upload, alt="")
    assert "Describe the image" in response.content.decode()
    upload = SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")
    assert admin_post(client, upload, alt="", decorative="on").status_code == 302


@pytest.fixture
def content_copy(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, root)
    (root / "images").mkdir(exist_ok=True)
    return root


def add_reference(root, text):
    path = root / "procedures" / "epidural-steroid-injection.md"
    body = path.read_text(encoding="utf-8")
    path.write_text(body.replace("## What it is\n", f"## What it is\n\n{text}\n", 1))
    return path


def test_load_content_brings_in_images(content_copy):
    (content_copy / "images" / "needle-diagram.png").write_bytes(image_bytes("PNG"))
    add_reference(content_copy, "![A thin needle near the spine](images/needle-diagram.png)")
    report = loader.load(content_copy)
    assert report.counts["image"]["created"] == 1
    figure = Figure.objects.get(key="needle-diagram")
    assert figure.alt == "A thin needle near the spine"
    from procedures.models import Procedure

    page = Procedure.objects.get(slug="epidural-steroid-injection")
    assert "<picture>" in page.body_html and figure.renditions[0]["webp"] in page.body_html
    again = loader.load(content_copy)
    assert again.counts["image"]["unchanged"] == 1


def test_load_content_refuses_bad_images_with_path_and_line(content_copy):
    (content_copy / "images" / "evil.png").write_bytes(b"<svg/>")
    path = add_reference(content_copy, "![Missing](images/not-there.jpg)")
    with pytest.raises(loader.ContentError) as caught:
        loader.load(content_copy)
    messages = [str(p) for p in caught.value.problems]
    assert any("images/evil.png:1: this image cannot be used" in m for m in messages)
    line = path.read_text().splitlines().index("![Missing](images/not-there.jpg)") + 1
    assert any(f"epidural-steroid-injection.md:{line}: no image called 'not-there'" in m
               for m in messages)  # fmt: skip
    assert not Figure.objects.exists()


def test_load_content_requires_alt_text(content_copy):
    (content_copy / "images" / "unlabelled.jpg").write_bytes(image_bytes())
    with pytest.raises(loader.ContentError, match="needs alt text"):
        loader.load(content_copy)
    (content_copy / "images" / "unlabelled.yml").write_text("decorative: true\n")
    loader.load(content_copy)
    assert Figure.objects.get(key="unlabelled").decorative


def test_media_is_served_with_debug_off(client, settings):
    settings.DEBUG = False
    figure = make_figure("served")
    response = client.get(figure.src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    webp = client.get(settings.MEDIA_URL + figure.renditions[0]["webp"])
    assert webp.status_code == 200 and webp["Content-Type"] == "image/webp"
    assert client.get("/media/figures/../../painsite/settings/base.py").status_code == 404
    assert client.get("/media/other/secret.jpg").status_code == 404
    assert client.get("/media/figures/nothing-here.jpg").status_code == 404


def test_a_figure_adds_no_queries_to_the_page(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = make_procedure(slug="plain-page")
    make_figure("room")
    with_figure = make_procedure(
        slug="figure-page", body="## What it is\n\n![The room](images/room)\n\nText."
    )
    with CaptureQueriesContext(connection) as plain_queries:
        assert client.get(plain.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(plain_queries)):
        response = client.get(with_figure.get_absolute_url())
    assert "<picture>" in response.content.decode()
