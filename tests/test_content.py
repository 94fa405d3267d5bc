"""The procedure library (content/): complete, linked, careful."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from core import includes, sources
from core.pages import DEFAULT_REVIEWER
from faq.models import FAQ, Topic
from glossary.models import GlossaryTerm
from procedures.models import Condition, Kind, Procedure
from procedures.sections import PROCEDURE_SECTIONS

pytestmark = pytest.mark.django_db

SLUGS = [
    "epidural-steroid-injection", "nerve-root-block", "medial-branch-block",
    "facet-joint-injection", "radiofrequency-ablation", "discography",
    "trigger-point-injection", "intrathecal-pain-pump", "percutaneous-discectomy",
    "spinal-cord-stimulation",
]  # fmt: skip
NEW_SLUGS = [
    "occipital-nerve-block", "joint-injection", "genicular-nerve-block-and-ablation",
    "sacroiliac-joint-injection", "sympathetic-nerve-block",
]  # fmt: skip
# Needles at or near the spine: their emergency advice must cover bladder and bowel control.
# (Trigger points are in the muscles, away from the spinal nerves.)
NEAR_THE_SPINE = (set(SLUGS) - {"trigger-point-injection"}) | {
    "sacroiliac-joint-injection",
    "sympathetic-nerve-block",
}
# Pages whose condition (headache, joint arthritis) has no page yet; link them, then
# take them off this list (the test fails until both are done).
AWAITING_A_CONDITION: set[str] = set()
CONDITIONS = [
    "sciatica", "slipped-disc", "facet-joint-pain", "chronic-low-back-pain",
    "neck-and-arm-pain", "myofascial-pain", "cancer-pain", "pain-after-back-surgery",
]  # fmt: skip
NEW_CONDITIONS = [
    "headache-and-migraine", "joint-arthritis", "sacroiliac-joint-pain",
    "peripheral-neuropathy", "shingles-pain", "fibromyalgia",
]  # fmt: skip
# No procedure is offered for fibromyalgia on purpose: its page explains why injections
# usually do not help (NICE NG193).
NO_PROCEDURE = {"fibromyalgia"}
# The procedure pages for these (occipital nerve block, joint injection, genicular nerve
# block and ablation, sacroiliac joint injection, ...) are written separately; take each
# slug out of this set once a published procedure page lists it under `conditions:`.
# Conditions the site has no procedure page for yet (a clinician decides what fits).
AWAITING_PROCEDURE = {"peripheral-neuropathy", "shingles-pain"}
GLOSSARY = [
    "fluoroscopy", "corticosteroid", "local anesthetic", "sedation", "contrast dye",
    "epidural space", "facet joint", "medial branch nerve", "nerve root", "radiculopathy",
    "intrathecal", "trial",
]  # fmt: skip


def section(html: str, anchor: str) -> str:
    match = re.search(
        rf'<section class="page-section page-section--{anchor}".*?</section>', html, re.S
    )
    return match.group(0) if match else ""


def test_all_procedures_with_every_section(site_content):
    procedures = {p.slug: p for p in Procedure.objects.published()}
    assert sorted(procedures) == sorted(SLUGS + NEW_SLUGS)
    for procedure in procedures.values():
        titles = [item["title"].lower() for item in procedure.toc]
        for required in PROCEDURE_SECTIONS:
            assert any(t.startswith(required.lower()) for t in titles), (procedure.slug, required)
        assert 2 <= len(sources.parse_lines(procedure.sources)) <= 5, procedure.slug
        assert procedure.reviewed_by == (DEFAULT_REVIEWER if procedure.reviewed_on else "")
        linked = procedure.conditions.exists()
        assert linked == (procedure.slug not in AWAITING_A_CONDITION), procedure.slug
        emergency = section(procedure.body_html, "when-to-get-help")
        assert "911" in emergency, procedure.slug
        assert ("bladder" in emergency) or procedure.slug not in NEAR_THE_SPINE, procedure.slug
        assert re.search(r"\bmay not (help|work|give)", procedure.body, re.I), procedure.slug


def test_pages_never_reviewed_claim_no_review(client, site_content):
    """A page with no review date shows "Not yet reviewed" and names no reviewer."""
    unreviewed = [
        *Procedure.objects.published().filter(reviewed_on__isnull=True),
        *Condition.objects.published().filter(reviewed_on__isnull=True),
    ]
    for page in unreviewed:
        html = client.get(page.get_absolute_url()).content.decode()
        assert "Not yet checked by a clinician" in html and "Checked by a" not in html, page.slug


def test_pages_are_not_templates_with_the_name_swapped(site_content):
    """Safety advice is worded the same on purpose; the rest is written per procedure."""

    def sentences(text):
        return {s for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 8}

    bodies = {p.slug: sentences(p.body) for p in Procedure.objects.all()}
    for a in bodies:
        for b in bodies:
            if a < b:
                shared = len(bodies[a] & bodies[b]) / min(len(bodies[a]), len(bodies[b]))
                assert shared < 0.5, (a, b, shared)


def test_device_pages_cover_living_with_the_device(site_content):
    for procedure in Procedure.objects.filter(kind=Kind.DEVICE):
        text = procedure.body.lower()
        assert "## living with the device" in text, procedure.slug
        for topic in ("mri", "airport", "id card"):
            assert topic in text, (procedure.slug, topic)
    assert "charg" in Procedure.objects.get(slug="spinal-cord-stimulation").body.lower()
    assert "refill" in Procedure.objects.get(slug="intrathecal-pain-pump").body.lower()


def test_pathways_are_explained(site_content):
    body = {p.slug: p.body.lower() for p in Procedure.objects.all()}
    assert "grow back" in body["radiofrequency-ablation"]
    assert "two" in body["medial-branch-block"] or "2 " in body["medial-branch-block"]
    assert "trial" in body["spinal-cord-stimulation"]
    assert "surg" in body["discography"]
    assert "pain diary" in body["medial-branch-block"]


def test_conditions_link_to_procedures(site_content):
    slugs = set(Condition.objects.published().values_list("slug", flat=True))
    assert set(CONDITIONS + NEW_CONDITIONS) <= slugs
    for condition in Condition.objects.published():
        if condition.slug in NO_PROCEDURE | AWAITING_PROCEDURE:
            continue
        assert condition.procedures.published().exists(), condition.slug
    for slug in NO_PROCEDURE:
        condition = Condition.objects.get(slug=slug)
        assert not condition.procedures.exists(), slug
        assert "### why injections usually do not help" in condition.body.lower(), slug


def test_new_conditions_are_careful_and_claim_no_review(client, site_content):
    """Pages no clinician has reviewed yet say so, and name no reviewer."""
    for slug in NEW_CONDITIONS:
        condition = Condition.objects.get(slug=slug)
        assert condition.areas.exists(), slug
        assert 2 <= len(sources.parse_lines(condition.sources)) <= 5, slug
        assert condition.reviewed_on is None and condition.next_review_due is None, slug
        assert condition.reviewed_by == "", slug
        assert "/procedures/" not in condition.body, slug
        html = client.get(condition.get_absolute_url()).content.decode()
        assert "Not yet checked by a clinician" in html and "Checked by a" not in html, slug
        cards = section(html, "when-to-get-help")
        assert cards.count('class="care-card ') == 3, slug
        assert 'href="tel:911"' in cards, slug  # the emergency number, from Clinic details
        assert not re.search(r"\b(911|999|112)\b|\d{3}-\d{4}", condition.body), slug


def test_faqs_cover_the_topics_and_seeds(site_content):
    faqs = FAQ.objects.published()
    assert faqs.count() >= 25
    assert set(faqs.values_list("topic", flat=True)) == {value for value, _ in Topic.choices}
    questions = " ".join(faqs.values_list("question", flat=True)).lower()
    for seed in ("interventional pain", "sciatica", "slipped disc", "facet joint",
                 "radiofrequency ablation"):  # fmt: skip
        assert seed in questions, seed
    linked = faqs.filter(procedures__isnull=False).distinct().count()
    assert linked >= faqs.count() - 2


def test_glossary(site_content):
    terms = GlossaryTerm.objects.published()
    assert terms.count() >= 40
    words = " ".join(f"{t.term} {t.also_called}" for t in terms).lower()
    for required in GLOSSARY:
        assert required in words, required


CONTENT_FILES = sorted(Path(settings.CONTENT_DIR).rglob("*.md"))


# Publishers whose pages the content may cite: public health services, regulators,
# guideline bodies, journals and specialty societies, and large academic hospitals.
REPUTABLE = (
    "nhs.uk", "nice.org.uk", "medlineplus.gov", "nih.gov", "cdc.gov", "cancer.gov",
    "fda.gov", "healthcare.gov", "nejm.org", "bmj.com", "lww.com", "doi.org",
    "cochrane.org", "aaos.org", "asahq.org", "aomrc.org.uk", "radiologyinfo.org",
    "nationalmigrainecentre.org.uk", "versusarthritis.org", "clevelandclinic.org",
    "mayoclinic.org", "hopkinsmedicine.org", "medscape.com",
)  # fmt: skip


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.name))
def test_only_clinic_facts_by_name_and_reputable_sources(path):
    text = path.read_text(encoding="utf-8")
    if path.name == "README.md":
        return
    assert includes.literal_numbers(re.sub(r"(?m)^\s*url: .*$", "", text)) == []
    for line in text.splitlines():
        for host in re.findall(r"https?://([^/\s)]+)", line):
            assert line.strip().startswith("url: https://"), (line, "links only as sources")
            assert any(host == d or host.endswith("." + d) for d in REPUTABLE), host
    assert not re.search(r"\bDr\.? [A-Z][a-z]+", text), "no doctor names"
