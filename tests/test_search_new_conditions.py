"""Search on the real content/ folder finds the newer condition pages (headache, joint
arthritis, SI joint, neuropathy, shingles, fibromyalgia) from patients' own words,
typos included."""

from __future__ import annotations

import pytest

from tests.test_search_content import real_content, urls  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("real_content")

HEADACHE = "/conditions/headache-and-migraine/"
JOINTS = "/conditions/joint-arthritis/"
SI_JOINT = "/conditions/sacroiliac-joint-pain/"
NEUROPATHY = "/conditions/peripheral-neuropathy/"
SHINGLES = "/conditions/shingles-pain/"
FIBRO = "/conditions/fibromyalgia/"

# Each must find its page in the first three results.
PATIENT_QUERIES = [
    ("migrane", HEADACHE),
    ("migraine", HEADACHE),
    ("bad headaches", HEADACHE),
    ("pain at the back of my head", HEADACHE),
    ("occipital neuralgia", HEADACHE),
    ("arthritis in my knee", JOINTS),
    ("worn out hip", JOINTS),
    ("shoulder arthritis", JOINTS),
    ("osteoarthritis", JOINTS),
    ("pain in my buttock joint", SI_JOINT),
    ("si joint", SI_JOINT),
    ("sacroilliac pain", SI_JOINT),
    ("sacro iliac", SI_JOINT),
    ("SIJ pain", SI_JOINT),
    ("burning feet", NEUROPATHY),
    ("numb feet", NEUROPATHY),
    ("diabetic nerve pain", NEUROPATHY),
    ("neuropathy", NEUROPATHY),
    ("pain after shingles", SHINGLES),
    ("shingels", SHINGLES),
    ("post herpetic neuralgia", SHINGLES),
    ("PHN", SHINGLES),
    ("herpes zoster", SHINGLES),
    ("fibro", FIBRO),
    ("fibromyalgia", FIBRO),
    ("fibromialgia", FIBRO),
    ("pain all over my body", FIBRO),
    ("fatigue and pain", FIBRO),
]


@pytest.mark.parametrize(("query", "expected"), PATIENT_QUERIES)
def test_patient_queries_find_the_new_conditions(db, query, expected):
    found = urls(query)
    assert expected in found[:3], found[:5]
