"""Structured data (schema.org JSON-LD) for the public pages.

Built as plain dicts in Python and written into ``<script type="application/ld+json">``
with the same escaping as Django's ``json_script`` (``<``, ``>`` and ``&`` become
``\\u003C`` etc.), so page text can never close the script element. A strict CSP does
not execute or block these blocks: they are data, not scripts.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.markdown import plain

_POPOVER = re.compile(r'<span class="gloss-pop"[^>]*>.*?</span>', re.DOTALL)
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def script(data: dict | list) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return mark_safe(f'<script type="application/ld+json">{text.translate(_ESCAPES)}</script>')


def clinic(details: dict, *, context: bool = True) -> dict:
    data = {
        "@type": "MedicalClinic",
        "@id": absolute("/#clinic"),
        "name": details["name"],
        "url": absolute(reverse("home")),
        "telephone": details["phone"],
        "email": details["email"],
        "address": {
            "@type": "PostalAddress",
            "streetAddress": details["address"],
            "addressCountry": details.get("country", ""),
        },
        "description": f"Opening hours: {details['hours']}",
    }
    return {"@context": "https://schema.org", **data} if context else data


def medical_web_page(page, about_type: str, details: dict) -> dict:
    """A procedure or condition page: who reviewed it, when, and what it is about."""
    about = {"@type": about_type, "name": page.title}
    if page.also_called_list:
        about["alternateName"] = page.also_called_list
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": absolute(page.get_absolute_url()),
        "name": page.title,
        "description": page.summary,
        "inLanguage": "en",
        "about": about,
        "audience": {"@type": "PeopleAudience", "audienceType": "Patients"},
        "publisher": clinic(details, context=False),
    }
    # Only a review that happened: a clinician marked the page reviewed (sets both).
    if page.reviewed_on:
        data["lastReviewed"] = page.reviewed_on.isoformat()
        if page.reviewed_by:
            data["reviewedBy"] = {"@type": "Organization", "name": page.reviewed_by}
    return data


def answer_text(answer_html: str) -> str:
    """Plain text of a rendered answer, without the glossary pop-up definitions."""
    return " ".join(plain(_POPOVER.sub("", answer_html)).split())


def faq_page(faqs) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": absolute(reverse("faq:list")),
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": answer_text(faq.answer_html)},
            }
            for faq in faqs
        ],
    }
