"""Search on the real content/ folder: the shared sample of patient queries (search_eval,
hit@3 = 100 %) and other patients' words, typos included."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from editorial import loader
from editorial import synonyms_loader as seed
from search import service
from search.evaluation import evaluate, read_cases

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "search-queries.tsv"


def urls(query: str, limit: int = 10) -> list[str]:
    return [r.url for r in service.search(query, limit=limit).results]


# --- the real content, loaded once for this module ---------------------------


@pytest.fixture(scope="module")
def real_content(django_db_setup, django_db_blocker):
    """content/ loaded once; every test using it runs inside its own savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            loader.load(settings.CONTENT_DIR)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.skipif(not SAMPLE.exists(), reason=f"the shared sample {SAMPLE} is not present")
def test_search_eval_on_the_shared_sample(real_content, db, capsys):
    report = evaluate(read_cases(SAMPLE))
    misses = [(o.case.query, o.urls[:3]) for o in report.outcomes if not o.rank or o.rank > 3]
    assert report.hit_at_3 == 1.0, misses
    call_command("search_eval", str(SAMPLE))
    out = capsys.readouterr().out
    assert "hit@3: 100.0%" in out and "hit@1:" in out and "MRR:" in out


# Patients' own words, typos included; each must find its page in the first three.
PATIENT_QUERIES = [
    ("pinched nerve in my neck", "/conditions/neck-and-arm-pain/"),
    ("siatica", "/conditions/sciatica/"),
    ("epideral", "/procedures/epidural-steroid-injection/"),
    ("radiofrequancy", "/procedures/radiofrequency-ablation/"),
    ("shot for leg pain", "/procedures/epidural-steroid-injection/"),
    ("nerve burning", "/procedures/radiofrequency-ablation/"),
    ("zapping the nerves", "/procedures/radiofrequency-ablation/"),
    ("spinal stimulator", "/procedures/spinal-cord-stimulation/"),
    ("what is fluoroscopy", "/glossary/#fluoroscopy"),
    ("can I drive home", "/faq/#do-i-need-a-driver"),
    ("blood thinner", "/faq/#can-i-take-my-blood-thinner"),
    ("herniated disc", "/conditions/slipped-disc/"),
    ("muscle knots", "/procedures/trigger-point-injection/"),
    ("morphine pump", "/procedures/intrathecal-pain-pump/"),
    ("will it hurt", "/faq/#will-it-hurt"),
]


@pytest.mark.parametrize(("query", "expected"), PATIENT_QUERIES)
def test_patient_queries_find_their_page(real_content, db, query, expected):
    assert expected in urls(query)[:3]


def test_typo_is_corrected_automatically_when_nothing_matches(real_content, db):
    outcome = service.search("siatica")
    assert outcome.corrected_from == "siatica"
    assert outcome.query == "sciatica"
    assert outcome.results


def test_did_you_mean_when_the_query_finds_something(real_content, db):
    outcome = service.search("siatica pain")
    assert outcome.suggestion == "sciatica pain"
    assert not outcome.corrected_from


def test_synonym_seed_round_trip(real_content, db, tmp_path):
    """Loading content/ then exporting gives back content/synonyms/synonyms.yaml byte for byte."""
    source = Path(settings.CONTENT_DIR) / "synonyms" / "synonyms.yaml"
    exported = seed.export(tmp_path)
    assert exported.read_bytes() == source.read_bytes()
