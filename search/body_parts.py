"""Parts of the body the site has no page about: say so, instead of unrelated pages.

A patient who searches "tooth pain" or "pain in my foot" would otherwise get spine
pages that merely contain "pain". When the query names a part of the body that no
published procedure or condition names in its title, other names or summary, the
results page says the site does not cover it and offers the clinic's phone number.

Coverage is read from the search index at the moment of the search, so a new page
about feet ends the message at once. The words are English: a further language
adds its own table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from . import text
from .models import Document, Kind

ARTICLE_KINDS = (Kind.PROCEDURE, Kind.CONDITION)


@dataclass(frozen=True)
class BodyPart:
    name: str  # as the results page says it: "the foot"
    words: tuple[str, ...]  # what patients type
    urgent: bool = False  # pain here can be an emergency (the page says so first)


BODY_PARTS = (
    BodyPart("teeth or gums", ("tooth", "teeth", "toothache", "dental", "gum", "gums")),
    BodyPart("the jaw", ("jaw", "jaws", "tmj")),
    BodyPart("the eyes", ("eye", "eyes")),
    BodyPart("the ears", ("ear", "ears", "earache")),
    BodyPart("the throat", ("throat",)),
    BodyPart("the chest", ("chest", "breast", "breasts"), urgent=True),
    BodyPart("the stomach or belly", ("stomach", "belly", "tummy", "abdomen", "abdominal")),
    BodyPart("the kidneys", ("kidney", "kidneys")),
    BodyPart("the pelvis", ("pelvis", "pelvic")),
    BodyPart(
        "the foot or ankle", ("foot", "feet", "heel", "heels", "toe", "toes", "ankle", "ankles")
    ),  # fmt: skip
    BodyPart(
        "the hand or wrist",
        ("hand", "hands", "wrist", "wrists", "finger", "fingers", "thumb", "thumbs"),
    ),  # fmt: skip
    BodyPart("the elbow", ("elbow", "elbows")),
    BodyPart("the knee", ("knee", "knees")),
    BodyPart("the hip", ("hip", "hips")),
    BodyPart("the shoulder", ("shoulder", "shoulders")),
    BodyPart("the head", ("head", "headache", "headaches", "migraine", "migraines")),
    BodyPart("the neck", ("neck",)),
    BodyPart("the back", ("back", "spine", "spinal")),
    BodyPart("the legs", ("leg", "legs", "thigh", "thighs", "calf", "calves")),
    BodyPart("the arms", ("arm", "arms")),
)
_BY_WORD = {word: part for part in BODY_PARTS for word in part.words}


def _word_pattern(words: tuple[str, ...]) -> str:
    # Whole words on both databases: PostgreSQL's regex has no \b, so spell it out.
    return r"(^|[^a-z])(" + "|".join(words) + r")([^a-z]|$)"


def covered(part: BodyPart) -> bool:
    """Does a published procedure or condition name this part? One query."""
    pattern = _word_pattern(part.words)
    named = Q(title__iregex=pattern) | Q(also_called__iregex=pattern) | Q(summary__iregex=pattern)
    return Document.objects.filter(named, kind__in=ARTICLE_KINDS).exists()


@dataclass(frozen=True)
class Coverage:
    uncovered: BodyPart | None = None  # the first part named that no page covers
    also_covered: bool = False  # the query also names a part that pages do cover

    @property
    def hide_results(self) -> bool:
        """Results would only be pages about other parts of the body."""
        return self.uncovered is not None and not self.also_covered


def coverage(query: str) -> Coverage:
    """Which parts of the body the query names, and whether the site covers them."""
    seen = []
    for word in text.words(query):
        part = _BY_WORD.get(word)
        if part is not None and part not in seen:
            seen.append(part)
    missing = [part for part in seen if not covered(part)]
    if not missing:
        return Coverage()
    return Coverage(uncovered=missing[0], also_covered=len(missing) < len(seen))
