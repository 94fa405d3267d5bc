import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q

from core.registry import registry

from . import images

REFERENCE_PREFIX = "images/"  # editors write ![Alt text](images/KEY)

RENDITION_DIR = "figures/renditions"
logger = logging.getLogger(__name__)


def _store(name: str, data: bytes, created: list[str]) -> str:
    created.append(name)  # before writing: a write that fails half way leaves a file too
    created[-1] = stored = default_storage.save(name, ContentFile(data))
    return stored


def _remove(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not remove %s after a failed image save", name)


class FigureQuerySet(models.QuerySet):
    def missing_alt(self):
        return self.filter(decorative=False, alt="")


class Figure(models.Model):
    """A diagram or photo shown on pages: ``![Alt text](images/KEY)`` in the page text."""

    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text=(
            "Short name used in page text: write ![Alt text](images/KEY) on a line of its own "
            "to show this image there."
        ),
    )
    image = models.FileField(
        upload_to="figures/",
        help_text="JPEG, PNG or WebP, at most 10 MB and 6000 pixels on each side.",
    )
    alt = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text=(
            "What the image shows, for people who cannot see it (read aloud by screen readers). "
            "Required unless the image is decorative."
        ),
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Tick only if the image adds nothing to the text; screen readers then skip it.",
    )
    caption = models.CharField(
        max_length=300, blank=True, help_text="Shown under the image (optional)."
    )
    credit = models.CharField(
        max_length=200, blank=True, help_text='Who made the image, e.g. "Photo: clinic staff".'
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=list, editable=False, blank=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = "image"
        verbose_name_plural = "images"

    def __str__(self):
        return self.key

    def clean(self):
        if not self.decorative and not self.alt.strip():
            raise ValidationError(
                {"alt": "Describe the image, or tick 'decorative' if it adds nothing to the text."}
            )

    def used_on_published_pages(self) -> bool:
        return any(
            page_type.model.objects.published().filter(self.shown_on(page_type)).exists()
            for page_type in registry
        )

    def shown_on(self, page_type) -> Q:
        """Pages of ``page_type`` whose text shows this image.

        In any letter case, as the renderer finds it (``images/Needle.jpg`` shows the
        image ``needle``): ``icontains``, since ``contains`` is case-sensitive on
        PostgreSQL (SQLite's LIKE ignores case either way).
        """
        return Q(**{f"{page_type.text_field}__icontains": f"{REFERENCE_PREFIX}{self.key}"})

    @property
    def alt_text(self) -> str:
        return "" if self.decorative else self.alt

    @staticmethod
    def check_image(data: bytes, name: str) -> None:
        """Raise ``images.ImageRejected`` (a ValueError) if the file cannot be used."""
        images.process(data, name)

    def set_image(self, data: bytes, name: str) -> None:
        """Check and re-encode ``data`` (raises ``images.ImageRejected``); saved by ``save()``.

        The stored file is the lossless PNG master (see ``figures/images.py``).
        """
        processed = images.process(data, name)
        self.image = ContentFile(processed.data, name=f"{uuid.uuid4().hex}.{processed.extension}")
        self.width, self.height = processed.width, processed.height
        self.renditions = []
        self._processed = True

    def make_renditions(self, created: list[str] | None = None) -> None:
        """Write the renditions; each storage name is added to ``created`` before writing."""
        created = [] if created is None else created
        self.image.open("rb")
        try:
            data = self.image.read()
        finally:
            self.image.close()
        stem = uuid.uuid4().hex
        made = []
        for rendition in images.renditions(data):
            webp = _store(f"{RENDITION_DIR}/{stem}-{rendition.width}.webp", rendition.webp, created)
            fallback = _store(
                f"{RENDITION_DIR}/{stem}-{rendition.width}.{rendition.fallback_extension}",
                rendition.fallback,
                created,
            )
            made.append(
                {
                    "width": rendition.width,
                    "height": rendition.height,
                    "webp": webp,
                    "fallback": fallback,
                }
            )
        self.renditions = made

    def master_file(self) -> tuple[bytes, str]:
        """The stored image as ``(data, extension)`` in the form ``set_image`` stores.

        For a master stored by ``set_image`` this is the stored file itself
        (processing is idempotent); a file stored in an older form (a JPEG master)
        comes out as the PNG it would be stored as today. So an export loads back
        unchanged, and exporting that load gives the same bytes again.
        """
        self.image.open("rb")
        try:
            data = self.image.read()
        finally:
            self.image.close()
        processed = images.process(data, self.image.name)
        return processed.data, processed.extension

    def save(self, *args, rerender=True, **kwargs):
        # Files this save writes: all removed again if any part of it fails, so a failed
        # upload (a full disk, a database error) leaves no orphan files behind.
        created: list[str] = []
        adding = self._state.adding
        try:
            with transaction.atomic():  # and no row that points at files that are not there
                self._save_with_files(created, args, kwargs)
        except BaseException as exc:
            _remove(created)
            if adding:  # the row was rolled back: this is still a new, unsaved figure
                self.pk, self._state.adding = None, True
            if isinstance(exc, OSError) and not isinstance(exc, images.ImageNotStored):
                raise images.ImageNotStored(exc) from exc
            raise
        if rerender and not registry.cascades_are_paused:
            # Pages that show it render again (alt text and sizes stay right).
            registry.rerender(only=self.shown_on)

    def _save_with_files(self, created: list[str], args, kwargs) -> None:
        if self.image and not self.image._committed:
            # Every new file is checked and re-encoded, however it arrived (form, loader, shell).
            if not getattr(self, "_processed", False):
                upload = self.image
                upload.open("rb")
                self.set_image(upload.read(), upload.name)
            self._processed = False
            created.append(self.image.field.generate_filename(self, self.image.name))
            super().save(*args, **kwargs)
            created[-1] = self.image.name
            self.make_renditions(created)
            kwargs = {"update_fields": ["renditions"]}
        elif self.image and not self.renditions:
            self.make_renditions(created)
        super().save(*args, **kwargs)

    # --- what the template needs -------------------------------------------

    def _url(self, name: str) -> str:
        return default_storage.url(name)

    @property
    def largest(self) -> dict | None:
        return self.renditions[-1] if self.renditions else None

    @property
    def src(self) -> str:
        return self._url(self.largest["fallback"]) if self.largest else self.image.url

    @property
    def display_width(self) -> int:
        return self.largest["width"] if self.largest else self.width

    @property
    def display_height(self) -> int:
        return self.largest["height"] if self.largest else self.height

    @property
    def webp_srcset(self) -> str:
        return ", ".join(f"{self._url(r['webp'])} {r['width']}w" for r in self.renditions)

    @property
    def fallback_srcset(self) -> str:
        return ", ".join(f"{self._url(r['fallback'])} {r['width']}w" for r in self.renditions)

    @property
    def fallback_type(self) -> str:
        """The type of ``src``/``fallback_srcset``: the renditions' format, not the master's."""
        name = self.largest["fallback"] if self.largest else self.image.name
        return "image/png" if name.endswith(".png") else "image/jpeg"
