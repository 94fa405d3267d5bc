"""Export is a full copy of the content, images included.

Load content, export it (A), load A into an empty database and export again (B):
A and B hold the same files, byte for byte. The media folder is emptied too
before A is loaded, so nothing of the first database's images can leak through.
"""

import io
import random
import shutil
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from PIL import Image

from core.registry import registry
from editorial import loader
from figures.models import Figure
from procedures.models import Procedure
from search.models import Synonym

pytestmark = pytest.mark.django_db

PAGE = "epidural-steroid-injection"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # removed with tmp_path
    return settings.MEDIA_ROOT


@contextmanager
def rolled_back():
    """Everything done inside is undone afterwards: the database is as the test began."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def start_empty(media_root):
    shutil.rmtree(media_root, ignore_errors=True)
    for page_type in registry:
        assert not page_type.model.objects.exists(), page_type.name
    assert not Figure.objects.exists() and not Synonym.objects.exists()


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_same_files(a, b):
    a_files, b_files = files(a), files(b)
    assert sorted(a_files) == sorted(b_files)
    assert [name for name in a_files if a_files[name] != b_files[name]] == []


def photo_jpeg(size=(1800, 1000)):
    """A lossy photo with a rotation and a camera name in its EXIF (both must go)."""
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    image = Image.blend(
        Image.linear_gradient("L").resize(size).convert("RGB"),
        Image.frombytes("RGB", size, noise),
        0.3,
    )
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to display
    exif[0x010F] = "CameraMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def transparent_png(size=(400, 300)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (20, 90, 160, 120)).save(buffer, "PNG")
    return buffer.getvalue()


def show_on_page(body, line):
    return body.replace("## What it is\n", f"## What it is\n\n{line}\n", 1)


@pytest.fixture
def content_with_images(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, root)
    images = root / "images"
    images.mkdir(exist_ok=True)
    (images / "needle-photo.jpg").write_bytes(photo_jpeg())
    (images / "spine-diagram.png").write_bytes(transparent_png())
    (images / "spine-diagram.yml").write_text(
        "alt: The bones of the lower back\ncaption: Your lower back from the side\n"
        "credit: 'Drawing: clinic staff'\n",
        encoding="utf-8",
    )
    page = root / "procedures" / f"{PAGE}.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(show_on_page(text, "![A thin needle near the spine](images/needle-photo.jpg)"))
    return root


def test_content_with_images_round_trips_byte_for_byte(content_with_images, tmp_path, media_root):
    a, b = tmp_path / "a", tmp_path / "b"
    with rolled_back():
        report = loader.load(content_with_images)
        assert report.counts["image"]["created"] == 2
        loader.export(a)

    images = sorted(p.name for p in (a / "images").iterdir())
    assert images == [
        "needle-photo.png",
        "needle-photo.yml",
        "spine-diagram.png",
        "spine-diagram.yml",
    ]
    assert (a / "images" / "needle-photo.yml").read_text() == "alt: A thin needle near the spine\n"
    photo = Image.open(a / "images" / "needle-photo.png")
    assert (photo.format, photo.size) == ("PNG", (1000, 1800))  # turned upright
    assert b"CameraMaker" not in (a / "images" / "needle-photo.png").read_bytes()

    start_empty(media_root)
    report = loader.load(a)
    assert report.counts["image"]["created"] == 2
    call_command("export_content", str(b))
    assert_same_files(a, b)

    page = Procedure.objects.get(slug=PAGE)
    needle = Figure.objects.get(key="needle-photo")
    assert needle.alt == "A thin needle near the spine" and needle.fallback_type == "image/jpeg"
    assert "<picture>" in page.body_html and needle.renditions[-1]["fallback"] in page.body_html
    assert needle.renditions[-1]["fallback"].endswith(".jpg")  # photos are served as JPEG
    diagram = Figure.objects.get(key="spine-diagram")
    assert (diagram.caption, diagram.credit) == (
        "Your lower back from the side",
        "Drawing: clinic staff",
    )
    assert diagram.fallback_type == "image/png"  # transparency kept


def test_export_over_the_content_folder_replaces_the_original_image(content_with_images):
    """Exporting into content/ itself leaves one file per image, so the folder loads again."""
    loader.load(content_with_images)
    (content_with_images / "images" / "spine-diagram.yml").rename(
        content_with_images / "images" / "spine-diagram.yaml"
    )
    call_command("export_content", str(content_with_images))
    images = sorted(p.name for p in (content_with_images / "images").iterdir())
    assert images == [
        "needle-photo.png",
        "needle-photo.yml",
        "spine-diagram.png",
        "spine-diagram.yml",
    ]
    loader.load(content_with_images)
    assert Figure.objects.count() == 2


def test_an_image_uploaded_in_the_admin_is_exported_and_loads_into_an_empty_database(
    tmp_path, media_root
):
    a, b = tmp_path / "a", tmp_path / "b"
    with rolled_back():
        loader.load(settings.CONTENT_DIR)
        photo = Figure(key="consent-form", alt="A consent form on a clipboard", credit="Clinic")
        photo.set_image(photo_jpeg(size=(900, 700)), "IMG_0001.JPG")
        photo.save()
        swirl = Figure(key="swirl", decorative=True)  # decorative: no alt text at all
        swirl.image = _upload(transparent_png(), "swirl.png")  # as a form leaves it
        swirl.save()
        page = Procedure.objects.get(slug=PAGE)
        page.body = show_on_page(
            page.body, "![The form you sign](images/consent-form)\n\n![A swirl](images/swirl.png)"
        )
        page.save()
        loader.export(a)

    start_empty(media_root)
    loader.load(a)  # no "no image called …"
    loader.export(b)
    assert_same_files(a, b)

    assert Figure.objects.get(key="consent-form").alt == "A consent form on a clipboard"
    swirl = Figure.objects.get(key="swirl")
    assert swirl.decorative and swirl.alt == ""  # the page's alt text is not taken for it
    html = Procedure.objects.get(slug=PAGE).body_html
    assert html.count("<picture>") == 2 and 'alt=""' in html


def _upload(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "image/png")


def test_export_refuses_a_figure_whose_file_is_gone_and_writes_nothing(tmp_path, media_root):
    photo = Figure(key="lost", alt="A photo")
    photo.set_image(transparent_png(), "lost.png")
    photo.save()
    (media_root / photo.image.name).unlink()
    with pytest.raises(loader.ContentError, match="image 'lost':1: its stored file cannot be read"):
        loader.export(tmp_path / "out")
    assert not (tmp_path / "out").exists()
