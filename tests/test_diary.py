"""The pain diary: which procedures have one, the printable page, and the relief
arithmetic of static/js/diary.js (run here with Node when it is installed, and in
Chromium by tests/browser/test_tools_browser.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from procedures.models import Kind, Procedure
from procedures.tools import diary_rows, diary_schedule
from tests.factories import make_procedure

DIARY_JS = Path(settings.BASE_DIR) / "static" / "js" / "diary.js"

# (starting score, score, relief %): the rule is (start - score) / start x 100, rounded.
RELIEF_CASES = [
    (8, 2, 75),
    (8, 0, 100),
    (7, 3, 57),  # 57.14...
    (3, 1, 67),  # 66.66...
    (6, 6, 0),
    (4, 6, -50),  # worse than before
    (10, 10, 0),
    (1, 0, 100),
    (0, 0, None),  # no pain at the start: relief cannot be worked out
    (0, 5, None),
    ("", 3, None),  # missing
    (5, "", None),
    (11, 3, None),  # out of range
    (5, "3.5", None),  # whole numbers only
    ("7", "2", 71),  # from a form: strings
]


def run_node(script: str):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the browser test runs the same checks)")
    result = subprocess.run(
        [node, "-e", f"const d = require({json.dumps(str(DIARY_JS))});\n{script}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_relief_percent_follows_the_rule():
    got = run_node(
        f"console.log(JSON.stringify({json.dumps(RELIEF_CASES)}"
        ".map(([b, s]) => d.reliefPercent(b, s))));"
    )
    assert got == [case[2] for case in RELIEF_CASES]


def test_relief_is_never_negative_zero_and_is_described_in_words():
    got = run_node(
        "console.log(JSON.stringify([Object.is(d.reliefPercent(5, 5), 0),"
        " d.describeRelief(75), d.describeRelief(-50), d.describeRelief(0),"
        " d.describeRelief(null)]));"
    )
    assert got == [True, "75% relief", "50% worse", "No change", ""]


def test_summary_finds_the_best_and_latest_scores():
    rows = [{"key": k, "label": k} for k in ("baseline", "h1", "h2", "h3", "d1")]
    entries = {
        "baseline": {"score": "8"},
        "h1": {"score": "4"},
        "h2": {"score": "2"},
        "d1": {"score": "7"},
    }
    got = run_node(
        f"console.log(JSON.stringify(d.summarize({json.dumps(rows)}, {json.dumps(entries)})));"
    )
    assert got["baseline"] == 8
    assert (got["best"]["key"], got["best"]["relief"]) == ("h2", 75)
    assert (got["latest"]["key"], got["latest"]["score"]) == ("d1", 7)
    zero = run_node(
        f"console.log(JSON.stringify(d.summarize({json.dumps(rows)}, "
        "{baseline: {score: '0'}, h1: {score: '0'}})));"
    )
    assert zero["best"] is None and zero["latest"]["score"] == 0


@pytest.mark.django_db
def test_which_procedures_have_a_diary(site_content):
    found = {p.slug: diary_schedule(p) for p in Procedure.objects.published()}
    blocks = {slug for slug, kind in found.items() if kind == "block"}
    assert {
        "medial-branch-block",
        "nerve-root-block",
        "facet-joint-injection",
        "genicular-nerve-block-and-ablation",
        "sacroiliac-joint-injection",
        "sympathetic-nerve-block",
        "occipital-nerve-block",
    } == blocks
    assert found["spinal-cord-stimulation"] == "trial"
    assert found["discography"] is None  # provokes pain; a relief diary does not fit
    for procedure in Procedure.objects.published():
        if procedure.kind in (Kind.DIAGNOSTIC, Kind.BOTH) and procedure.slug != "discography":
            assert found[procedure.slug] == "block"


def test_block_and_trial_schedules():
    block = [row["key"] for row in diary_rows("block")]
    assert block == [
        "baseline",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "d1",
        "d2",
        "d3",
        "d4",
        "d5",
        "d6",
        "d7",
    ]
    assert [row["key"] for row in diary_rows("trial")] == ["baseline"] + [
        f"d{n}" for n in range(1, 8)
    ]


@pytest.mark.django_db
def test_the_diary_page_is_a_paper_diary_without_javascript(client):
    procedure = make_procedure(kind=Kind.DIAGNOSTIC, slug="a-test-block")
    response = client.get("/procedures/a-test-block/diary/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr data-row="') == 14
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main  # the diary posts nothing anywhere
    assert '<script src="/static/js/diary.js" defer></script>' in html
    assert "<script>" not in html and "style=" not in html
    assert "starting score" in html.lower()
    # The phone parts are hidden until the script shows them.
    assert "data-diary-summary hidden" in html and "data-diary-storage hidden" in html
    # The procedure page links to it.
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert 'href="/procedures/a-test-block/diary/"' in page


@pytest.mark.django_db
def test_no_diary_for_treatments(client):
    procedure = make_procedure(kind=Kind.TREATMENT)
    assert client.get(f"/procedures/{procedure.slug}/diary/").status_code == 404
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert "/diary/" not in page
