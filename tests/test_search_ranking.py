"""Search is ranked in the database; Python re-ranks only the best candidates."""

import pytest

from search import engines, service
from tests.factories import make_condition, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def many():
    make_procedure(slug="zz-title", title="Gizmoplasty", summary="Something else.")
    for n in range(12):
        make_condition(slug=f"body-{n}", body=f"## What it is\n\nA gizmoplasty note {n}.")
    return "/procedures/zz-title/"


def test_only_the_best_candidates_leave_the_database(many, monkeypatch):
    everything = service.search("gizmoplasty", limit=20)
    assert everything.count == 13 and everything.results[0].url == many
    monkeypatch.setattr(engines, "CANDIDATES", 4)
    monkeypatch.setattr(service, "CANDIDATES", 4)
    hits = engines.get_engine().match(
        engines.EngineQuery(concepts=(engines.Concept(alternatives=(("gizmoplasty",),)),))
    )
    assert len(hits.rank) == 4 and len(hits.levels) == 4
    assert hits.matched == 13 and hits.document_frequency(0) == 13  # counted over the index
    few = service.search("gizmoplasty", limit=20)
    assert few.results[0].url == many  # the title match is the engine's best too
    assert len(few.results) == 4 and few.count == 13


def test_results_do_not_change_with_the_candidate_limit(many, monkeypatch):
    before = [r.url for r in service.search("gizmoplasty note", limit=3).results]
    monkeypatch.setattr(engines, "CANDIDATES", 5)
    after = [r.url for r in service.search("gizmoplasty note", limit=3).results]
    assert before[0] == after[0]
