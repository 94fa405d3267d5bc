"""Checking and re-encoding uploaded images with Pillow.

Every image that reaches the site — an admin upload or a file under
``content/images/`` — goes through :func:`process`: only JPEG (a phone's
multi-picture JPEG, "MPO", too: its first picture), PNG and WebP, at most 10 MB
and 6000 px a side, decompression bombs refused, then decoded and written anew
(orientation applied, EXIF/GPS, colour profiles, text chunks and any trailing
bytes dropped). Nothing of the uploaded file is kept but its pixels.
:func:`renditions` makes the responsive sizes once, when the figure is saved.

The stored file (the *master*) is lossless PNG, so that processing is idempotent:
``process(process(x).data).data == process(x).data``. ``export_content`` writes the
master and ``load_content`` puts every file through :func:`process` again (the
security rule has no exceptions, not even for files the site wrote itself); a
lossy master would lose a little more and change its bytes on every load, so
load → export → load → export would never give the same files. PNG decodes to
exactly the pixels it was made from, and the same pixels encode to the same
bytes, so a master survives any number of round trips unchanged. (The same
holds only for one installed Pillow: a new Pillow may write the same pixels as
different bytes, once.)

What patients download is not the master but the renditions: WebP, plus a JPEG
(PNG for images with transparency) for browsers without WebP, each encoded once
from the lossless pixels. Photos are therefore still served as JPEG.

A PNG photo is several times larger than a JPEG one, and an exported master must
itself be accepted again (at most ``MAX_BYTES``). So the master is kept at the
largest size the site ever shows — at most ``MASTER_MAX_WIDTH`` (the widest
rendition) — and made smaller still in the rare case its PNG would pass
``MAX_BYTES``. A master already within both limits is never resized, which keeps
:func:`process` idempotent.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 6000
MAX_PIXELS = MAX_SIDE * MAX_SIDE
RENDITION_WIDTHS = (480, 960, 1440)
FORMATS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}
EXTENSIONS = {ext for exts in FORMATS.values() for ext in exts}
# Formats Pillow names apart that are one of ours: MPO (multi-picture) is a JPEG with
# further pictures after the first, as many phones write their photos. Only the first
# (the photo itself) is read; the rest is dropped with the other trailing bytes.
SAME_AS = {"MPO": "JPEG"}
MASTER_MAX_WIDTH = RENDITION_WIDTHS[-1]
MASTER_EXTENSION = "png"
JPEG_QUALITY = 82
WEBP_QUALITY = 80

# Pillow warns above this many pixels and refuses above twice as many; we refuse both.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageRejected(ValueError):
    """The file is not an image we accept; the message says why in plain words."""


class ImageNotStored(OSError):
    """The image could not be written to storage (a full disk, say); nothing was kept."""

    def __init__(self, cause: OSError):
        reason = cause.strerror or str(cause) or type(cause).__name__
        super().__init__(
            cause.errno,
            f"The image could not be stored ({reason}), so nothing was saved. "
            "Try again later; if it keeps happening, tell whoever looks after the server "
            "(the disk may be full).",
        )


@dataclass(frozen=True)
class Processed:
    data: bytes  # the master: lossless PNG
    fallback: str  # "jpg" or "png": the renditions' format for browsers without WebP
    width: int
    height: int
    extension: str = MASTER_EXTENSION  # of the stored file


def image_format(image: Image.Image) -> str | None:
    """The format as this module knows it (a phone's MPO photo is a JPEG)."""
    return SAME_AS.get(image.format, image.format)


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageRejected(
                    f"the image is {width}×{height} pixels; at most {MAX_SIDE} on each side"
                )
            if image_format(image) not in FORMATS:
                raise ImageRejected(
                    f"this is a {image.format or 'unknown'} image; use JPEG, PNG or WebP"
                )
            Image.open(io.BytesIO(data)).verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(
                "the image is too large when opened (a 'decompression bomb'); refused"
            ) from None
        except Image.UnidentifiedImageError:
            raise ImageRejected("this file is not a JPEG, PNG or WebP image") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected(f"the image file is damaged or incomplete ({exc})") from None
    return image


def process(data: bytes, name: str) -> Processed:
    """Check an uploaded file and return it re-encoded, or raise :class:`ImageRejected`."""
    if len(data) > MAX_BYTES:
        raise ImageRejected(f"the file is {len(data) / 1048576:.1f} MB; at most 10 MB")
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise ImageRejected(
            f"'{PurePath(name or '').name}' is not a .jpg, .jpeg, .png or .webp file"
        )
    image = _open(data)
    if extension not in FORMATS[image_format(image)]:
        raise ImageRejected(
            f"the file name ends in .{extension} but it is a {image_format(image)} image; "
            "rename it or save it again in the right format"
        )
    image = ImageOps.exif_transpose(image)  # also drops the orientation tag
    image = image.convert("RGBA" if has_alpha(image) else "RGB")
    if image.width > MASTER_MAX_WIDTH:
        image = _resized(image, MASTER_MAX_WIDTH / image.width)
    data = encode(image, MASTER_EXTENSION)
    while len(data) > MAX_BYTES:  # rare: huge, noisy images; shrink until it fits
        image = _resized(image, 0.9 * (MAX_BYTES / len(data)) ** 0.5)
        data = encode(image, MASTER_EXTENSION)
    return Processed(data, fallback_extension(image), image.width, image.height)


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def fallback_extension(image: Image.Image) -> str:
    """JPEG for photos and diagrams, PNG where transparency must survive."""
    return "png" if has_alpha(image) else "jpg"


def _resized(image: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS)


def encode(image: Image.Image, extension: str) -> bytes:
    """Write pixels only: no EXIF, GPS, ICC or text chunks are carried over."""
    image.info = {}
    buffer = io.BytesIO()
    if extension == "jpg":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif extension == "png":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp: bytes
    fallback: bytes
    fallback_extension: str  # "jpg" or "png"


def rendition_widths(width: int) -> list[int]:
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)
    return widths


def renditions(data: bytes) -> list[Rendition]:
    """WebP and JPEG/PNG copies at 480, 960 and 1440 px wide (never wider than the master).

    The fallback is JPEG unless the master has transparency (then PNG), whatever
    format the master itself is in (PNG now; JPEG for masters stored before).
    """
    source = Image.open(io.BytesIO(data))
    source.load()
    fallback = fallback_extension(source)
    out = []
    for width in rendition_widths(source.width):
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize((width, height), Image.LANCZOS)
        out.append(
            Rendition(
                width,
                height,
                encode(resized.copy(), "webp"),
                encode(resized.copy(), fallback),
                fallback,
            )
        )
    return out
