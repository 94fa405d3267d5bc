"""The clinic's own details: one record, edited in the admin, shown on every page.

Read through ``clinic_details()``, which serves a plain dict from the cache so a
page costs no query for it; saving the record refreshes the cache. Until staff
save their own details, clearly marked example values are shown (555-01xx
numbers, example.org), so nothing real is ever invented.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache as memoize

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.html import escape

from core.includes import Fact, call_link, expand_plain, literal_numbers, text_problems
from core.registry import registry
from core.signals import content_loaded

CACHE_KEY = "clinic:details:v2"
CACHE_SECONDS = 60 * 60 * 24
SINGLETON_PK = 1

DEFAULTS = {
    "name": "Example Pain Clinic",
    "phone": "555-0100",
    "address": "100 Example Street, Example City (example address)",
    "hours": "Monday to Friday, 8 am to 5 pm (example hours)",
    "out_of_hours": "Call {{ after_hours }} to reach the doctor on call.",
    "email": "info@example.org",
    "after_hours_phone": "555-0101",
    "emergency_number": "911",
    "ambulance_number": "",
    "crisis_line": "988",
    "country": "US",
    "time_zone": "America/New_York",
}

# Clinic facts pages name in their text ({{ phone }}): fact name -> field.
FACT_FIELDS = {
    "phone": "phone",
    "after_hours": "after_hours_phone",
    "emergency": "emergency_number",
    "ambulance": "ambulance_number",
    "crisis_line": "crisis_line",
}


def phone_for_link(phone: str) -> str:
    """The number as a ``tel:`` link wants it: digits, with a leading + kept."""
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.strip().startswith("+") else digits


def _phone_characters(value: str) -> None:
    if not re.fullmatch(r"\+?[\d\s().-]+", value.strip()):
        raise ValidationError(
            "Use only digits, spaces, brackets, dots, dashes and a leading +, e.g. 555-0100."
        )


def validate_phone(value: str) -> None:
    _phone_characters(value)
    if len(re.sub(r"\D", "", value)) < 7:
        raise ValidationError("A phone number needs at least 7 digits, e.g. 555-0100.")


def validate_short_number(value: str) -> None:
    """Emergency and crisis numbers may be short (3 digits and up)."""
    _phone_characters(value)
    if len(re.sub(r"\D", "", value)) < 2:
        raise ValidationError("A number needs at least 2 digits.")


@memoize
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            f"“{value}” is not a time zone name. Use one like America/New_York or Asia/Kolkata."
        )


def validate_clinic_text(value: str) -> None:
    """Short texts shown on every page: numbers only by name ({{ after_hours }})."""
    messages = [message for _line, message in text_problems(value, {}, may_include=False)]
    if messages:
        raise ValidationError(messages)


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
        validators=[validate_clinic_text],
        help_text=(
            "Who to call when the clinic is closed. Shown in the footer of every page. "
            "Name numbers, never type them: {{ after_hours }}, {{ phone }}, {{ emergency }}."
        ),
    )
    after_hours_phone = models.CharField(
        "after-hours number",
        max_length=40,
        default=DEFAULTS["after_hours_phone"],
        validators=[validate_phone],
        help_text=(
            "For the doctor on call when the clinic is closed. Pages name it {{ after_hours }}."
        ),
    )
    emergency_number = models.CharField(
        "emergency number",
        max_length=20,
        default=DEFAULTS["emergency_number"],
        validators=[validate_short_number],
        help_text=(
            "The number for emergency help where the clinic is, such as 911 in the US or 112 "
            "in India and Europe. Pages name it {{ emergency }}."
        ),
    )
    ambulance_number = models.CharField(
        "ambulance number",
        max_length=20,
        blank=True,
        default=DEFAULTS["ambulance_number"],
        validators=[validate_short_number],
        help_text=(
            "Only if an ambulance has its own number (such as 108 in parts of India). "
            "Leave empty to use the emergency number. Pages name it {{ ambulance }}."
        ),
    )
    crisis_line = models.CharField(
        "mental health crisis line",
        max_length=40,
        default=DEFAULTS["crisis_line"],
        validators=[validate_short_number],
        help_text=(
            "A free line for people with thoughts of harming themselves, open day and night, "
            "such as 988 in the US. Pages name it {{ crisis_line }}."
        ),
    )
    country = models.CharField(
        "country or region code",
        max_length=2,
        default=DEFAULTS["country"],
        help_text="Two letters, such as US or IN. Tells search engines where the clinic is.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULTS["time_zone"],
        validators=[validate_time_zone],
        help_text="Where the clinic is, such as America/New_York or Asia/Kolkata. Dates and "
        "times on the site and in the admin use it.",
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
        before = ClinicDetails.objects.filter(pk=SINGLETON_PK).first()
        if before is not None:
            self.version = (self.version or 0) + 1
            kwargs.pop("force_insert", None)
        with transaction.atomic():
            super().save(*args, **kwargs)
            forget_clinic_details()
            # Every page names the numbers ({{ phone }}, care cards): render them again.
            old_facts = before.facts() if before is not None else example_details_facts()
            if self.facts() != old_facts and not registry.cascades_are_paused:
                registry.rerender()
                content_loaded.send(sender=ClinicDetails)  # search shows the new numbers too

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_clinic_details()
        return result

    def clean(self):
        super().clean()
        self.country = (self.country or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            raise ValidationError({"country": "Use the two-letter code, such as US or IN."})
        for name in ("name", "hours"):
            if literal_numbers(getattr(self, name)):
                raise ValidationError({name: "Numbers to call belong in their own fields."})

    @staticmethod
    def current_details() -> dict:
        """The clinic's details as pages show them (registered with the page registry)."""
        return clinic_details()

    @staticmethod
    def current_facts() -> dict[str, Fact]:
        """What pages show for each fact name (registered with the page registry)."""
        return clinic_facts()

    def facts(self) -> dict[str, Fact]:
        facts = {"clinic_name": Fact(self.name)}
        for name, field_name in FACT_FIELDS.items():
            value = getattr(self, field_name) or self.emergency_number  # ambulance may be empty
            facts[name] = Fact(value, phone_for_link(value))
        return facts

    def as_dict(self) -> dict:
        data = {key: getattr(self, key) for key in DEFAULTS}
        facts = self.facts()
        for name, fact in facts.items():
            data[name] = fact.label
            data[f"{name}_tel"] = fact.tel
        data["phone_tel"] = facts["phone"].tel
        data["out_of_hours_text"] = expand_plain(self.out_of_hours, facts)
        data["out_of_hours_html"] = expand_html(self.out_of_hours, facts)
        return data


def expand_html(text: str, facts: dict[str, Fact]) -> str:
    """Escaped text with each fact name a tap-to-call link."""
    return re.sub(
        r"\{\{\s*([a-z_]+)\s*\}\}",
        lambda m: call_link(facts[m.group(1)]) if m.group(1) in facts else escape(m.group(0)),
        escape(text),
    )


def clinic_facts() -> dict[str, Fact]:
    """The clinic facts pages name, from the cached details."""
    data = clinic_details()
    return {
        name: Fact(data[name], data.get(f"{name}_tel", ""))
        for name in ("clinic_name", *FACT_FIELDS)
    }


def example_details_facts() -> dict[str, Fact]:
    return ClinicDetails().facts()


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
