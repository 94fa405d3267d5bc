"""The clinic's own details: one record, edited in the admin, shown on every page.

Read through ``clinic_details()``, which serves a plain dict from the cache so a
page costs no query for it; saving the record refreshes the cache. Until staff
save their own details, clearly marked example values are shown (555-01xx
numbers, example.org), so nothing real is ever invented.
"""

from __future__ import annotations

import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction

CACHE_KEY = "clinic:details:v1"
CACHE_SECONDS = 60 * 60 * 24
SINGLETON_PK = 1

DEFAULTS = {
    "name": "Example Pain Clinic",
    "phone": "555-0100",
    "address": "100 Example Street, Example City (example address)",
    "hours": "Monday to Friday, 8 am to 5 pm (example hours)",
    "out_of_hours": "Call 555-0101 for the doctor on call (example number).",
    "email": "info@example.org",
}


def phone_for_link(phone: str) -> str:
    """The number as a ``tel:`` link wants it: digits, with a leading + kept."""
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.strip().startswith("+") else digits


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"\+?[\d\s().-]+", value.strip()):
        raise ValidationError(
            "Use only digits, spaces, brackets, dots, dashes and a leading +, e.g. 555-0100."
        )
    if len(re.sub(r"\D", "", value)) < 7:
        raise ValidationError("A phone number needs at least 7 digits, e.g. 555-0100.")


class ClinicDetails(models.Model):
    name = models.CharField(
        max_length=120,
        default=DEFAULTS["name"],
        help_text="Shown at the top of every page and in the browser tab.",
    )
    phone = models.CharField(
        "main phone number",
        max_length=40,
        default=DEFAULTS["phone"],
        validators=[validate_phone],
        help_text="Shown in the header and footer. Patients can tap it to call.",
    )
    address = models.CharField(
        max_length=300,
        default=DEFAULTS["address"],
        help_text="On one line, as a patient would write it on a letter.",
    )
    hours = models.CharField(
        "opening hours",
        max_length=300,
        default=DEFAULTS["hours"],
        help_text='In plain words, e.g. "Monday to Friday, 8 am to 5 pm".',
    )
    out_of_hours = models.CharField(
        "what to do when the clinic is closed",
        max_length=300,
        default=DEFAULTS["out_of_hours"],
        help_text="Who to call when the clinic is closed. Shown in the footer of every page.",
    )
    email = models.EmailField(
        "email address",
        default=DEFAULTS["email"],
        help_text="For general questions. Ask patients not to send urgent questions by email.",
    )
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one on every save; a form saved from an older version is refused.",
    )

    class Meta:
        verbose_name = "clinic details"
        verbose_name_plural = "clinic details"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = SINGLETON_PK  # there is only ever one record
        if ClinicDetails.objects.filter(pk=SINGLETON_PK).exists():
            self.version = (self.version or 0) + 1
            kwargs.pop("force_insert", None)
        super().save(*args, **kwargs)
        forget_clinic_details()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_clinic_details()
        return result

    def as_dict(self) -> dict:
        data = {key: getattr(self, key) for key in DEFAULTS}
        data["phone_tel"] = phone_for_link(self.phone)
        return data


def example_details() -> dict:
    return ClinicDetails().as_dict()


def forget_clinic_details() -> None:
    cache.delete(CACHE_KEY)
    # Again after commit, so a page rendered meanwhile cannot keep the old values cached.
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def clinic_details() -> dict:
    """The clinic's details for templates: from the cache, else one query (then cached).

    Never fails: if the database cannot be read (the 500 page, a fresh install)
    the example values are returned and nothing is cached.
    """
    data = cache.get(CACHE_KEY)
    if data is not None:
        return data
    try:
        record = ClinicDetails.objects.filter(pk=SINGLETON_PK).first()
    except DatabaseError:
        return example_details()
    data = record.as_dict() if record else example_details()
    cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return data
