"""Search finds the five newer procedure pages from patients' own words, typos included."""

from __future__ import annotations

import pytest

from tests.test_search_content import real_content, urls  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.usefixtures("real_content")

OCCIPITAL = "/procedures/occipital-nerve-block/"
JOINT = "/procedures/joint-injection/"
GENICULAR = "/procedures/genicular-nerve-block-and-ablation/"
SACROILIAC = "/procedures/sacroiliac-joint-injection/"
SYMPATHETIC = "/procedures/sympathetic-nerve-block/"

# Each must find its page in the first three results.
PATIENT_QUERIES = [
    ("nerve block for headache", OCCIPITAL),
    ("shot for headaches", OCCIPITAL),
    ("injection in the back of my head for migraine", OCCIPITAL),
    ("cluster headache", OCCIPITAL),
    ("knee injection", JOINT),
    ("cortisone shot in my hip", JOINT),
    ("cortizone shot in my knee", JOINT),
    ("steroid shot in my shoulder", JOINT),
    ("genicular nerve block", GENICULAR),
    ("burning the nerves in my knee", GENICULAR),
    ("knee rfa", GENICULAR),
    ("si joint shot", SACROILIAC),
    ("buttock pain injection", SACROILIAC),
    ("stellate ganglion block", SYMPATHETIC),
    ("stelate ganglion", SYMPATHETIC),
    ("nerve block for crps", SYMPATHETIC),
    ("lumbar sympathetic block", SYMPATHETIC),
]


@pytest.mark.parametrize(("query", "expected"), PATIENT_QUERIES)
def test_patient_queries_find_the_new_pages(db, query, expected):
    assert expected in urls(query)[:3]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nerve ablation", "/procedures/radiofrequency-ablation/"),
        ("rfa", "/procedures/radiofrequency-ablation/"),
        ("burning the nerves", "/procedures/radiofrequency-ablation/"),
    ],
)
def test_spine_ablation_still_comes_first(db, query, expected):
    """The knee ablation page shares words with spine ablation; it must not push it down."""
    assert urls(query)[0] == expected
