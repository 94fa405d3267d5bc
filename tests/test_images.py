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


def png_chunks(data):
    """The chunk types of a PNG, checking that nothing follows the last one."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunks.append(data[position + 4 : position + 8].decode("ascii"))
        position += 12 + length
    assert position == len(data)
    return chunks


def test_png_with_a_trailing_script_is_re_encoded_without_it():
    data = image_bytes("PNG") + b"<script>alert('polyglot')</script>"
    processed = images.process(data, "diagram.png")
    assert b"<script" not in processed.data
    assert set(png_chunks(processed.data)) == {"IHDR", "IDAT", "IEND"}  # pixels only
    assert processed.fallback == "jpg"  # no alpha: photos and diagrams are served as JPEG


def test_png_text_chunks_and_colour_profile_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(buffer, "PNG", pnginfo=info, icc_profile=b"x" * 64)
    assert b"<script>" in buffer.getvalue()
    processed = images.process(buffer.getvalue(), "diagram.png")
    assert b"<script" not in processed.data
    assert set(png_chunks(processed.data)) == {"IHDR", "IDAT", "IEND"}


def test_transparent_png_stays_png():
    processed = images.process(image_bytes("PNG", mode="RGBA"), "logo.png")
    assert processed.extension == "png" and processed.fallback == "png"
    assert Image.open(io.BytesIO(processed.data)).mode == "RGBA"


def noise_jpeg(size, quality=75):
    import random

    pixels = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (jpeg_with_gps_and_rotation(), "holiday.jpg"),
        (image_bytes("JPEG", size=(2000, 1000)), "wide.jpg"),
        (image_bytes("PNG", mode="RGBA"), "logo.png"),
        (image_bytes("PNG", mode="L"), "grey.png"),
        (image_bytes("PNG", mode="P", transparency=0), "palette.png"),
        (image_bytes("WEBP", size=(1600, 900)), "photo.webp"),
        (noise_jpeg((500, 400)), "noise.jpg"),
    ],
)
def test_processing_a_stored_image_again_gives_the_same_bytes(data, name):
    """Why export then load gives back the same file: the master is a fixed point."""
    first = images.process(data, name)
    again = images.process(first.data, f"master.{first.extension}")
    assert again.data == first.data
    assert (again.width, again.height, again.fallback) == (
        first.width,
        first.height,
        first.fallback,
    )


def test_the_master_is_lossless_png_no_wider_than_the_widest_rendition():
    processed = images.process(image_bytes("JPEG", size=(3000, 1500)), "photo.jpg")
    master = Image.open(io.BytesIO(processed.data))
    assert master.format == "PNG" and master.mode == "RGB"
    assert (master.width, master.height) == (images.MASTER_MAX_WIDTH, 720)
    assert (processed.width, processed.height) == master.size


def test_a_master_that_would_pass_the_size_limit_is_made_smaller(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 150_000)
    data = noise_jpeg((400, 400), quality=40)
    assert len(data) < images.MAX_BYTES < 400 * 400 * 3  # its PNG would be too big
    processed = images.process(data, "noise.jpg")
    assert len(processed.data) <= images.MAX_BYTES  # so an exported master loads again
    assert processed.width < 400 and processed.height < 400
    assert images.process(processed.data, "noise.png").data == processed.data


def test_figure_gets_renditions_and_a_server_chosen_name(media_root):
    figure = make_figure("spine", size=(2000, 1000))
    assert [r["width"] for r in figure.renditions] == [480, 960, 1440]
    assert figure.image.name.startswith("figures/") and "upload" not in figure.image.name
    for rendition in figure.renditions:
        webp = Image.open(media_root / rendition["webp"])
        assert webp.format == "WEBP" and webp.width == rendition["width"]
        assert Image.open(media_root / rendition["fallback"]).format == "JPEG"
    assert figure.image.name.endswith(".png") and figure.fallback_type == "image/jpeg"
    small = make_figure("small", size=(700, 350))
    assert [r["width"] for r in small.renditions] == [480, 700]


def test_a_transparent_figure_falls_back_to_png(media_root):
    figure = make_figure("logo", size=(600, 300), fmt="PNG", mode="RGBA")
    assert figure.fallback_type == "image/png"
    for rendition in figure.renditions:
        fallback = Image.open(media_root / rendition["fallback"])
        assert fallback.format == "PNG" and fallback.mode == "RGBA"


def test_a_figure_stored_as_jpeg_before_masters_were_png_still_works(media_root):
    """Older masters are JPEG: renditions stay JPEG, and export writes the PNG master."""
    from django.core.files.base import ContentFile

    figure = Figure(key="older", alt="An older photo")
    figure.image.save("older.jpg", ContentFile(image_bytes(size=(1000, 500))), save=False)
    figure.save()
    assert [r["fallback"].rsplit(".", 1)[1] for r in figure.renditions] == ["jpg"] * 3
    assert figure.fallback_type == "image/jpeg"
    data, extension = figure.master_file()
    assert extension == "png" and Image.open(io.BytesIO(data)).size == (1000, 500)


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


def test_admin_key_is_made_lower_case(client):
    client.force_login(make_reviewer())
    upload = SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")
    assert admin_post(client, upload, key="Spine-Diagram").status_code == 302
    assert Figure.objects.get().key == "spine-diagram"  # as ![…](images/Spine-Diagram) finds it


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
