"""Search: ranking, synonyms, typos, drafts, safe snippets, index upkeep, hostile input,
query counts and search_eval (the real content and the shared sample: test_search_content.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.pages import Status
from editorial import loader
from procedures.models import Procedure
from search import index, service
from search.evaluation import Case
from search.models import Document, Synonym
from tests.admin_forms import change_url, form_data
from tests.factories import make_condition, make_faq, make_procedure, make_term, make_user


def urls(query: str, limit: int = 10) -> list[str]:
    return [r.url for r in service.search(query, limit=limit).results]


# --- ranking on pages made for the test ------------------------------------------


def test_title_ranks_above_summary_above_body(db):
    body_page = make_condition(title="Gamma page", body="## What it is\n\nAbout flumwort here.")
    summary_page = make_condition(title="Beta page", summary="All about flumwort.")
    title_page = make_condition(title="Flumwort")
    assert urls("flumwort") == [
        title_page.get_absolute_url(),
        summary_page.get_absolute_url(),
        body_page.get_absolute_url(),
    ]


def test_also_called_counts_like_the_title(db):
    page = make_condition(title="Alpha", also_called="quibbleknee\nother name")
    make_condition(title="Beta", summary="Sometimes called quibbleknee by people.")
    assert urls("quibbleknee")[0] == page.get_absolute_url()


def test_stems_match_other_forms_of_a_word(db):
    page = make_condition(title="Zorbing injections", summary="Several zorbing injections.")
    for query in ("zorbing injection", "zorbing injected", "zorbing injections"):
        assert urls(query)[:1] == [page.get_absolute_url()], query


def test_phrase_ranks_above_scattered_words(db):
    scattered = make_condition(
        title="Alpha", body="## What it is\n\nThe root of it is a vexing block in the nerve."
    )
    phrase = make_condition(
        title="Beta", body="## What it is\n\nWe talk about a vexing nerve root block here."
    )
    assert urls("vexing nerve root block")[:2] == [
        phrase.get_absolute_url(),
        scattered.get_absolute_url(),
    ]


# --- synonyms ------------------------------------------------------------------


def test_a_synonym_finds_the_medical_word_and_back(db):
    page = make_condition(title="Plorbic neuralgia")
    assert urls("wigglepain") == []
    Synonym.objects.create(slug="test", terms="wigglepain\nplorbic neuralgia")
    assert urls("wigglepain") == [page.get_absolute_url()]
    Synonym.objects.filter(slug="test").update(active=False)
    assert urls("wigglepain") == []


def test_synonym_admin_add_and_validation(client, db):
    client.force_login(make_user(superuser=True))
    add = reverse("admin:search_synonym_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"slug": "bad", "terms": "only one", "active": "on"})
    assert response.status_code == 200 and not Synonym.objects.filter(slug="bad").exists()
    response = client.post(
        add, {"slug": "knots", "terms": "  flarbknots \n\nfrumble spots\n", "active": "on"}
    )
    assert response.status_code == 302
    assert Synonym.objects.get(slug="knots").terms == "flarbknots\nfrumble spots"
    page = make_condition(title="Frumble spots")
    assert urls("flarbknots") == [page.get_absolute_url()]
    changelist = reverse("admin:search_synonym_changelist")
    assert client.get(changelist, {"q": "frumble"}).status_code == 200


def test_content_synonyms_load_and_an_admin_edit_is_kept(tmp_path, db):
    write_term(tmp_path, "Glimmerbone", "glimmerbone")
    (tmp_path / "synonyms").mkdir()
    seed = tmp_path / "synonyms" / "synonyms.yaml"
    seed.write_text("glimmer:\n  - glimmerbone\n  - shiny bone\n", encoding="utf-8")
    loader.load(tmp_path)
    assert urls("shiny bone") == ["/glossary/#glimmerbone"]
    synonym = Synonym.objects.get(slug="glimmer")
    synonym.terms = "glimmerbone\nshiny bone\nbright bone"
    synonym.save()
    seed.write_text("glimmer:\n  - glimmerbone\n  - sparkly bone\n", encoding="utf-8")
    report = loader.load(tmp_path)
    assert report.counts["synonym"]["skipped"] == 1
    assert "bright bone" in Synonym.objects.get(slug="glimmer").terms
    loader.load(tmp_path, force=True)
    assert Synonym.objects.get(slug="glimmer").terms == "glimmerbone\nsparkly bone"


@pytest.mark.parametrize(
    "content",
    [
        "- just a list\n",
        "Bad Name:\n  - a\n  - b\n",
        "one:\n  - only one term\n",
        "one: not a list\n",
        "one:\n  - [unclosed\n",
        "one:\n  - the\n  - my\n",
    ],
)
def test_bad_synonym_file_is_refused_and_changes_nothing(tmp_path, db, content):
    write_term(tmp_path, "Glimmerbone", "glimmerbone")
    (tmp_path / "synonyms").mkdir()
    (tmp_path / "synonyms" / "synonyms.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(loader.ContentError) as error:
        loader.load(tmp_path)
    assert "synonyms.yaml" in str(error.value)
    assert not Synonym.objects.exists() and not Document.objects.exists()


# --- typos ----------------------------------------------------------------------


def test_misspelling_draws_on_the_sites_own_words(db):
    page = make_condition(title="Spondylolisthesis")
    outcome = service.search("spondylolisthsis")
    assert outcome.corrected_from == "spondylolisthsis"
    assert [r.url for r in outcome.results] == [page.get_absolute_url()]
    assert service.search("qqqqqqqq").results == []


# --- drafts ---------------------------------------------------------------------


def test_drafts_never_appear(db):
    page = make_condition(title="Snorkelback", status=Status.DRAFT)
    assert urls("snorkelback") == []
    page.status = Status.PUBLISHED
    page.save()
    assert urls("snorkelback") == [page.get_absolute_url()]
    page.status = Status.DRAFT
    page.save()
    assert urls("snorkelback") == []


def test_a_stale_index_row_for_a_draft_is_still_hidden(db):
    page = make_condition(title="Snorkelback")
    type(page).objects.filter(pk=page.pk).update(status=Status.DRAFT)  # no signal
    assert Document.objects.filter(object_id=page.pk).exists()
    assert urls("snorkelback") == []


# --- the index follows every change ---------------------------------------------


def test_every_kind_is_indexed_and_deletes_follow(db):
    procedure = make_procedure(title="Wumpus block")
    condition = make_condition(title="Wumpus pain")
    faq = make_faq(question="Is a wumpus safe?")
    term = make_term(term="Wumpus")
    assert set(urls("wumpus")) == {
        procedure.get_absolute_url(),
        condition.get_absolute_url(),
        faq.get_absolute_url(),
        term.get_absolute_url(),
    }
    faq.delete()
    assert faq.get_absolute_url() not in urls("wumpus")


def test_admin_edit_updates_the_index(client, db):
    client.force_login(make_user(superuser=True))
    procedure = make_procedure(title="Wibble block")
    url = change_url(procedure)
    response = client.post(url, form_data(client.get(url), also_called="frabjous shot"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Procedure.objects.get(pk=procedure.pk).also_called == "frabjous shot"
    assert urls("frabjous") == [procedure.get_absolute_url()]


def write_term(root: Path, term: str, slug: str, definition: str = "A made-up word."):
    folder = root / "glossary"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f"---\nterm: {term}\nslug: {slug}\n---\n\n{definition}\n", encoding="utf-8"
    )


def test_load_content_updates_the_index(tmp_path, db):
    write_term(tmp_path, "Glimmerbone", "glimmerbone", "A bone that hums.")
    loader.load(tmp_path)
    assert urls("hums") == ["/glossary/#glimmerbone"]
    write_term(tmp_path, "Glimmerbone", "glimmerbone", "A bone that sings.")
    loader.load(tmp_path)
    assert urls("hums") == [] and urls("sings") == ["/glossary/#glimmerbone"]
    loader.load(tmp_path, dry_run=True)
    assert urls("sings") == ["/glossary/#glimmerbone"]


def test_rebuild_command(db, capsys):
    page = make_condition(title="Quonkle")
    Document.objects.all().delete()
    assert urls("quonkle") == []
    call_command("rebuild_search_index")
    assert "Indexed 1 published pages." in capsys.readouterr().out
    assert urls("quonkle") == [page.get_absolute_url()]


# --- the results page ------------------------------------------------------------


def test_results_page(client, db):
    page = make_procedure(title="Blarg injection", summary="A blarg shot for the back.")
    response = client.get(reverse("search:results"), {"q": "blarg"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 page found" in html
    assert f'href="{page.get_absolute_url()}"' in html
    assert "Procedure" in html and "<mark>blarg</mark>" in html
    assert 'role="search"' in html and 'name="q"' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_no_results_page_helps(client, db):
    response = client.get(reverse("search:results"), {"q": "xyzzy"})
    html = response.content.decode()
    assert "No pages found for “xyzzy”" in html
    assert reverse("procedures:where_it_hurts") in html
    assert "555-0100" in html


def test_empty_query_shows_the_form(client, db):
    html = client.get(reverse("search:results")).content.decode()
    assert 'id="search-page-q"' in html and "pages found" not in html


def test_header_has_the_search_form(client, db):
    html = client.get(reverse("home")).content.decode()
    assert 'role="search"' in html
    assert f'action="{reverse("search:results")}"' in html
    assert '<label for="site-search">' in html


def test_snippets_are_escaped_and_highlighted(db):
    make_condition(
        title="Escaping",
        summary='Tags <script>alert("x")</script> & <b>bold</b> near the wizzle.',
    )
    snippet = str(service.search("wizzle").results[0].snippet)
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in snippet
    assert "<mark>wizzle</mark>" in snippet


def test_body_snippet_shows_the_matching_part(db):
    filler = " ".join(["Some calm words here."] * 40)
    make_condition(
        title="Alpha", body=f"## What it is\n\n{filler} The <i>grommet</i> sits here. {filler}"
    )
    snippet = str(service.search("grommet").results[0].snippet)
    assert snippet.startswith("… The <mark>grommet</mark> sits here.")
    assert "<i>" not in snippet and len(snippet) < 300


def test_results_page_query_count(client, db, django_assert_num_queries):
    for n in range(3):
        make_procedure(title=f"Snibble block {n}")
    make_faq(question="What is a snibble?")
    # synonyms, engine, candidate rows, published() union, snippet texts
    with django_assert_num_queries(5):
        response = client.get(reverse("search:results"), {"q": "snibble block"})
    assert response.content.decode().count('class="search-result ') == 4
    # nothing found: synonyms, engine, and the vocabulary for "Did you mean"
    with django_assert_num_queries(3):
        client.get(reverse("search:results"), {"q": "qqqqqqqq"})


# --- hostile and odd input ---------------------------------------------------------

HOSTILE = [
    "a" * 10_000,
    "pain " * 3000,
    '"',
    '""""',
    "'",
    "*",
    "pain*",
    "NEAR(",
    "NEAR(pain nerve, 2)",
    "-",
    "-pain",
    "pain OR back",
    "AND",
    "OR OR OR",
    "NOT pain",
    "pain AND NOT back",
    "title: pain",
    "{names}: pain",
    "^pain",
    "pain:*",
    "pain & back | !neck",
    "pain <-> back",
    "'; DROP TABLE search_document; --",
    "1' OR '1'='1",
    "%",
    "_",
    "\\",
    "(((",
    ")",
    "😀 back pain 🩺",
    "כאב גב",
    "ألم الظهر",
    "\u202eetirw\u202c",
    "pain\x00back",
    "\x00",
    "\ud800",
    "\ufeff\u200b",
    "   ",
    "e\u0301pidural",
    "ＥＰＩＤＵＲＡＬ",
    "the of and",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_breaks(client, db, query, caplog):
    make_procedure(title="Back pain block")
    with caplog.at_level(logging.WARNING):
        outcome = service.search(query)
        encoded = quote(query, safe="", errors="surrogatepass")  # lone surrogates too
        response = client.get(reverse("search:results"), QUERY_STRING=f"q={encoded}")
    assert response.status_code == 200
    assert len(outcome.query) <= 200
    assert not [r for r in caplog.records if r.name.startswith(("search", "django"))]


@pytest.mark.parametrize(
    "raw", ["q=%ff%fe", "q=%ED%A0%80", "q=%", "q=%zz", "q=a&q=b", "q[]=x", "q=%00", ""]
)
def test_odd_query_strings(client, db, raw):
    response = client.get(reverse("search:results"), QUERY_STRING=raw)
    assert response.status_code == 200


def test_long_query_is_cut_and_said_so(client, db):
    html = client.get(reverse("search:results"), {"q": "back " * 1000}).content.decode()
    assert "only its first 200 characters" in html


def test_the_query_is_never_logged(client, db, caplog):
    make_procedure(title="Secret block")
    with caplog.at_level(logging.DEBUG):
        client.get(reverse("search:results"), {"q": "secretpatientword"})
        client.get(reverse("search:results"), {"q": "secretpatientwrd"})
    assert "secretpatientw" not in caplog.text


# --- search_eval ------------------------------------------------------------------


def test_search_eval_command_and_file_errors(tmp_path, db, capsys):
    page = make_condition(title="Kerfuffle")
    good = tmp_path / "q.tsv"
    good.write_text(
        f"# comment\nkerfuffle\t{page.get_absolute_url()}\nnothing here\t/nowhere/\n"
        "kerfuffle\t/conditions/*\n",
        encoding="utf-8",
    )
    call_command("search_eval", str(good))
    out = capsys.readouterr().out
    assert "hit@1: 66.7%" in out and "hit@3: 66.7%" in out and "MRR: 0.667" in out
    assert "miss (line 3): 'nothing here'" in out
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(Exception, match="bad.tsv:1"):
        call_command("search_eval", str(bad))


def test_case_prefix_match():
    case = Case(query="x", expected=("/procedures/*", "/faq/#a"), line=1)
    assert case.accepts("/procedures/anything/") and case.accepts("/faq/#a")
    assert not case.accepts("/faq/#ab") and not case.accepts("/conditions/x/")


def test_index_only_holds_published_pages(db):
    make_condition(title="Shown")
    make_condition(title="Hidden", status=Status.DRAFT)
    assert index.rebuild() == 1
    assert list(Document.objects.values_list("title", flat=True)) == ["Shown"]


def test_benchmark_command_prints_its_figures(tmp_path, db, capsys):
    make_condition(title="Kerfuffle")
    queries = tmp_path / "q.tsv"
    queries.write_text("kerfuffle\t/conditions/*\n", encoding="utf-8")
    call_command("search_benchmark", str(queries), "--rounds", "1")
    out = capsys.readouterr().out
    assert "p50:" in out and "p95:" in out and "CPU time" in out


def test_export_writes_active_synonym_groups(tmp_path, db):
    Synonym.objects.create(slug="b-group", terms="shot\ninjection")
    Synonym.objects.create(slug="a-group", terms="jab\npoke")
    Synonym.objects.create(slug="off", terms="one\ntwo", active=False)
    loader.export(tmp_path)
    text = (tmp_path / "synonyms" / "synonyms.yaml").read_text(encoding="utf-8")
    assert text.endswith("a-group:\n- jab\n- poke\nb-group:\n- shot\n- injection\n")
    assert "off" not in text
