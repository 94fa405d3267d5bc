"""Issue 4, server side: clinic details, page anatomy, FAQs, pathways, compare, errors."""

import re

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import RequestFactory
from django.urls import reverse

from clinic.models import CACHE_KEY, DEFAULTS, ClinicDetails, clinic_details
from core.pages import Status
from painsite.views import server_error
from tests.factories import make_faq, make_procedure, make_user

pytestmark = pytest.mark.django_db

PAGES_BELOW_HOME = [
    "procedures:list",
    "procedures:compare",
    "procedures:where_it_hurts",
    "conditions:list",
    "faq:list",
    "glossary:list",
]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------- Clinic details ----------


def test_defaults_are_clearly_example_values():
    assert re.fullmatch(r"555-01\d\d", DEFAULTS["phone"])
    assert DEFAULTS["email"].endswith("@example.org")
    assert "example" in DEFAULTS["address"].lower() and "example" in DEFAULTS["hours"].lower()
    for number in re.findall(r"\d{3}-\d{4}", " ".join(DEFAULTS.values())):
        assert re.fullmatch(r"555-01\d\d", number)


def test_clinic_details_shown_in_header_and_footer(client):
    html = client.get(reverse("home")).content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]
    footer = html.split('<footer class="site-footer">')[1].split("</footer>")[0]
    assert "Example Pain Clinic" in header and 'href="tel:5550100">555-0100</a>' in header
    for key in ("name", "phone", "address", "hours", "email"):
        assert DEFAULTS[key] in footer
    assert 'Call <a href="tel:5550101">555-0101</a> to reach the doctor on call.' in footer
    assert 'call <a href="tel:911">911</a>' in footer  # the emergency number, from the details


def test_clinic_details_are_cached_and_refreshed_on_save(django_assert_num_queries):
    cache.delete(CACHE_KEY)
    with django_assert_num_queries(1):
        assert clinic_details()["name"] == DEFAULTS["name"]
    with django_assert_num_queries(0):
        assert clinic_details()["name"] == DEFAULTS["name"]
    ClinicDetails.objects.create(name="Riverside Pain Clinic", phone="+1 555-0150")
    details = clinic_details()
    assert details["name"] == "Riverside Pain Clinic"
    assert details["phone_tel"] == "+15550150"


def test_clinic_details_fall_back_to_examples_when_the_database_fails(monkeypatch):
    cache.delete(CACHE_KEY)

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(ClinicDetails.objects, "filter", broken)
    assert clinic_details()["phone"] == DEFAULTS["phone"]
    assert cache.get(CACHE_KEY) is None  # a failure is not cached


def test_only_one_clinic_record():
    ClinicDetails.objects.create(name="First")
    ClinicDetails(name="Second").save()
    assert ClinicDetails.objects.count() == 1
    assert ClinicDetails.objects.get().name == "Second"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(superuser=True))
    return client


def admin_form(**changes):
    data = {key: value for key, value in DEFAULTS.items()}
    data.update(changes)
    return data


def test_admin_edits_clinic_details_shown_on_every_page(admin_client):
    # The list page goes to "add" the first time, then to the one record.
    response = admin_client.get(reverse("admin:clinic_clinicdetails_changelist"))
    assert response.url == reverse("admin:clinic_clinicdetails_add")
    response = admin_client.post(
        reverse("admin:clinic_clinicdetails_add"),
        admin_form(name="Hillside Pain Clinic", phone="555-0123"),
    )
    assert response.status_code == 302
    response = admin_client.get(reverse("admin:clinic_clinicdetails_changelist"))
    assert response.url == reverse("admin:clinic_clinicdetails_change", args=[1])
    assert admin_client.get(reverse("admin:clinic_clinicdetails_add")).status_code == 403

    html = admin_client.get(reverse("procedures:list")).content.decode()
    assert "Hillside Pain Clinic" in html and 'href="tel:5550123"' in html
    assert "Example Pain Clinic" not in html


def test_admin_cannot_delete_clinic_details(admin_client):
    ClinicDetails.objects.create()
    url = reverse("admin:clinic_clinicdetails_delete", args=[1])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ClinicDetails.objects.exists()


def test_admin_refuses_bad_phone_and_changes_nothing(admin_client):
    ClinicDetails.objects.create()
    url = reverse("admin:clinic_clinicdetails_change", args=[1])
    response = admin_client.post(url, admin_form(phone="call us!", loaded_version=1))
    assert response.status_code == 200
    assert "Use only digits" in response.content.decode()
    assert ClinicDetails.objects.get().phone == DEFAULTS["phone"]


def test_admin_refuses_a_stale_form(admin_client):
    ClinicDetails.objects.create()
    url = reverse("admin:clinic_clinicdetails_change", args=[1])
    other = ClinicDetails.objects.get()
    other.hours = "Saved by a colleague"
    other.save()  # version 2 now
    response = admin_client.post(url, admin_form(name="Mine", loaded_version=1))
    assert response.status_code == 200
    assert "Someone else saved the clinic details" in response.content.decode()
    record = ClinicDetails.objects.get()
    assert record.name == DEFAULTS["name"] and record.hours == "Saved by a colleague"


# ---------- Every page: landmarks, breadcrumbs, navigation, no inline code ----------


def all_page_urls():
    return [reverse(name) for name in ["home", *PAGES_BELOW_HOME]] + [
        "/procedures/medial-branch-block/",
        "/conditions/sciatica/",
    ]


def test_every_page_has_landmarks_and_no_inline_script_or_style(client, site_content):
    for url in all_page_urls():
        html = client.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in html, url
        assert '<main id="main"' in html and '<header class="site-header">' in html, url
        assert '<nav class="site-nav" aria-label="Main">' in html, url
        assert "<footer" in html, url
        assert "style=" not in html and "<style" not in html, url
        for tag in re.findall(r"<script[^>]*>", html):
            # Structured data, or a small deferred file of this site's own (the FAQ page
            # opens the answer a /faq/#slug link points to; the Print button): never inline.
            assert tag == '<script type="application/ld+json">' or re.fullmatch(
                r'<script src="/static/js/[a-z-]+\.js" defer>', tag
            ), (url, tag)
        assert html.count("<h1") == 1, url


@pytest.mark.parametrize("name", PAGES_BELOW_HOME)
def test_breadcrumbs_on_every_page_below_home(client, name):
    html = client.get(reverse(name)).content.decode()
    assert '<nav class="breadcrumbs wrap" aria-label="Breadcrumb">' in html
    assert '<li><a href="/">Home</a></li>' in html
    assert 'aria-current="page"' in html


def test_breadcrumbs_on_detail_pages_and_not_on_home(client, site_content):
    html = client.get("/procedures/medial-branch-block/").content.decode()
    crumbs = html.split('aria-label="Breadcrumb">')[1].split("</nav>")[0]
    assert text_of(crumbs).split() == "Home Procedures Medial branch block".split()
    assert "Breadcrumb" not in client.get(reverse("home")).content.decode()


def test_navigation_marks_the_current_section(client, site_content):
    html = client.get("/procedures/medial-branch-block/").content.decode()
    assert '<a href="/procedures/" aria-current="true">Procedures</a>' in html
    html = client.get(reverse("procedures:compare")).content.decode()
    assert '<a href="/procedures/compare/" aria-current="page">Compare</a>' in html


def test_home_links_to_where_it_hurts_and_compare(client):
    html = client.get(reverse("home")).content.decode()
    assert html.count('href="/procedures/where-it-hurts/"') >= 2  # nav and page
    assert 'href="/procedures/compare/"' in html


# ---------- Procedure page anatomy ----------


def test_procedure_page_anatomy_in_order(client, site_content):
    html = client.get("/procedures/medial-branch-block/").content.decode()
    parts = [
        "<h1>Medial branch block</h1>",
        'class="main-message"',
        "Also called: MBB",
        'id="glance-heading">Key facts',
        "Driver needed",
        'id="contents-heading">On this page',
        'id="how-to-prepare"',
        '<div class="care-cards">',
        "care-card--emergency",
        "care-card--today",
        "care-card--followup",
        'id="questions-to-ask-your-doctor"',
        'id="common-questions"',
        'id="related-heading"',
        'id="sources"',
        "Not yet checked by a clinician",
        "How we write and check these pages",
        "not advice for your case",
    ]
    positions = [html.find(part) for part in parts]
    assert -1 not in positions, [p for p, i in zip(parts, positions, strict=True) if i == -1]
    assert positions == sorted(positions)


def test_care_cards_say_their_level_in_words(client, site_content):
    html = client.get("/procedures/medial-branch-block/").content.decode()
    cards = re.findall(r'<p class="care-card__level">(.*?)</p>', html)
    labels = [text_of(card).strip() for card in cards]
    assert labels == ["! Emergency", "☎ Urgent – today", "✓ Not urgent"]
    assert 'aria-hidden="true"' in cards[0]  # the icon is decoration; the words carry it


def test_procedure_page_shows_the_six_most_specific_faqs(client, django_assert_num_queries):
    procedure = make_procedure(slug="focus")
    others = [make_procedure() for _ in range(3)]
    general = [
        make_faq(question=f"General {i}?", procedures=[procedure, *others]) for i in range(3)
    ]
    shared = make_faq(question="Shared with one other?", procedures=[procedure, others[0]])
    own = [make_faq(question=f"Only about this {i}?", procedures=[procedure]) for i in range(5)]
    make_faq(question="Draft own?", procedures=[procedure], status=Status.DRAFT)

    with django_assert_num_queries(7):  # + the questions (issue 12)
        html = client.get(procedure.get_absolute_url()).content.decode()
    section = html.split('id="common-questions"')[1].split("</section>")[0]
    shown = re.findall(r"<h3>(.*?)</h3>", section)
    assert shown == [faq.question for faq in own] + [shared.question]
    assert not any(faq.question in section for faq in general)
    assert "Draft own?" not in html
    assert 'href="/faq/">More questions and answers</a>' in section

    # Twice the questions, same number of queries.
    for i in range(9):
        make_faq(question=f"Another {i}?", procedures=[procedure])
    with django_assert_num_queries(7):  # + the questions (issue 12)
        client.get(procedure.get_absolute_url())


def test_procedure_page_without_faqs_has_no_questions_section(client):
    procedure = make_procedure()
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert 'id="common-questions"' not in html and "#common-questions" not in html


# ---------- Pathways ----------


def test_pathways_are_content_and_name_only_real_procedures(site_content):
    from procedures.models import Pathway, Procedure

    slugs = set(Procedure.objects.values_list("slug", flat=True))
    pathways = list(Pathway.objects.published().prefetch_related("shown_on"))
    assert len(pathways) == 3
    for pathway in pathways:
        assert pathway.shown_on.exists(), pathway.title
        assert {step["slug"] for step in pathway.steps_json if step["slug"]} <= slugs
        assert pathway.history.exists()  # it goes through the workflow and History


def test_a_pathway_step_in_the_wrong_form_is_refused_with_its_line():
    from procedures.models import Pathway

    steps, problems = Pathway.parse_steps("1. **Fine** (discography): Text.\nJust words.")
    assert [s["title"] for s in steps] == ["Fine"]
    assert problems and problems[0][0] == 2


@pytest.mark.parametrize(
    "slug, title, links",
    [
        ("medial-branch-block", "From test blocks to nerve ablation", ["radiofrequency-ablation"]),
        ("radiofrequency-ablation", "From test blocks to nerve ablation", ["medial-branch-block"]),
        ("spinal-cord-stimulation", "From a stimulator trial to an implant", []),
        ("discography", "From discography to a surgical opinion", []),
    ],
)
def test_pathway_shown_where_it_applies(client, site_content, slug, title, links):
    html = client.get(f"/procedures/{slug}/").content.decode()
    section = html.split('<section class="pathway"')[1].split("</section>")[0]
    assert title in section and "(this page)" in section
    assert f'href="/procedures/{slug}/"' not in section  # the page does not link to itself
    for other in links:
        assert f'href="/procedures/{other}/"' in section


def test_no_pathway_on_other_pages(client, site_content):
    html = client.get("/procedures/epidural-steroid-injection/").content.decode()
    assert 'class="pathway"' not in html


def test_pathway_does_not_link_to_a_draft(client, site_content, django_assert_num_queries):
    from procedures.models import Procedure

    Procedure.objects.filter(slug="radiofrequency-ablation").update(status=Status.DRAFT)
    with django_assert_num_queries(8):  # the usual 7 + which pathway pages are published
        html = client.get("/procedures/medial-branch-block/").content.decode()
    section = html.split('<section class="pathway"')[1].split("</section>")[0]
    assert "Radiofrequency ablation" in section
    assert 'href="/procedures/radiofrequency-ablation/"' not in section


# ---------- Compare ----------


def test_compare_table_is_accessible(client, site_content, django_assert_num_queries):
    from procedures.models import Procedure

    with django_assert_num_queries(1):
        html = client.get(reverse("procedures:compare")).content.decode()
    published = Procedure.objects.published()
    assert "<caption>" in html
    assert html.count('<th scope="col">') == 9  # the procedure, 7 key facts, the tick box
    assert html.count('<th scope="row">') == published.count() >= 10
    assert html.count('data-label="Driver needed"') == published.count()
    for procedure in published:
        assert f'<a href="{procedure.get_absolute_url()}">{procedure.title}</a>' in html


def test_compare_leaves_out_drafts_and_has_an_empty_state(client):
    make_procedure(title="Secret draft", status=Status.DRAFT)
    html = client.get(reverse("procedures:compare")).content.decode()
    assert "Secret draft" not in html and "<table" not in html
    assert 'class="empty"' in html


# ---------- Where it hurts ----------


def test_where_it_hurts_lists_the_eight_areas(client, site_content):
    html = client.get(reverse("procedures:where_it_hurts")).content.decode()
    names = ["Head", "Neck and arm", "Upper back", "Lower back", "Leg pain from the back",
             "Knees, hips and shoulders", "Muscles", "Pain from cancer"]  # fmt: skip
    picker = html.split('id="area-picker"')[1].split("</nav>")[0]
    found = re.findall(r'<span class="area-picker__name">(.*?)</span>', picker)
    assert found == names
    assert 'href="#lower-back"' in html and 'id="lower-back"' in html
    for area, condition in [("cancer", "cancer-pain"), ("head", "headache-and-migraine"),
                            ("joints", "joint-arthritis")]:  # fmt: skip
        section = html.split(f'id="{area}"')[1].split("</section>")[0]
        assert f"/conditions/{condition}/" in section, area


# ---------- Error pages ----------


def test_404_helps_the_patient_on(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "cannot find that page" in html
    assert 'href="/"' in html and 'href="tel:5550100"' in html
    assert 'rel="canonical"' not in html and '<meta name="robots" content="noindex">' in html
    try:
        search_url = reverse("search:results")
    except Exception:  # the search issue has not added its page yet
        search_url = None
    if search_url:
        assert f'action="{search_url}"' in html


def test_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong" in html and 'call <a href="tel:911">911</a>' in html
    assert 'href="tel:5550100"' in html  # from the cache

    cache.clear()
    html = server_error(request).content.decode()
    assert "tel:" not in html  # no number rather than a made-up one
    assert "<script" not in html and "style=" not in html


def test_clinical_reviewers_may_change_clinic_details_and_editors_only_see_them():
    from django.contrib.auth.models import Group

    reviewer = set(
        Group.objects.get(name="Clinical reviewer")
        .permissions.filter(content_type__app_label="clinic")
        .values_list("codename", flat=True)
    )
    editor = set(
        Group.objects.get(name="Content editor")
        .permissions.filter(content_type__app_label="clinic")
        .values_list("codename", flat=True)
    )
    assert {"change_clinicdetails", "view_clinicdetails"} <= reviewer
    assert "delete_clinicdetails" not in reviewer
    assert editor == {"view_clinicdetails"}


def test_print_sheet_rules():
    """The take-home sheet: no navigation, addresses written out, care cards kept whole."""
    from pathlib import Path

    from django.conf import settings

    css = Path(settings.BASE_DIR, "static", "css", "print.css").read_text()
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    hidden = next(body for selector, body in rules.items() if ".site-nav" in selector)
    assert "display: none" in hidden
    for selector in (".breadcrumbs", ".contents", ".skip-link", ".site-header form"):
        assert any(selector in s and "display: none" in b for s, b in rules.items()), selector
    assert any("::after" in s and "attr(href)" in b for s, b in rules.items())
    kept = [s for s, b in rules.items() if "break-inside: avoid" in b]
    together = ["how-to-prepare", "after-the-procedure", "when-to-get-help"]
    for selector in [".care-card", *(f".page-section--{part}" for part in together)]:
        assert any(selector in s for s in kept), selector
    base = Path(settings.BASE_DIR, "templates", "base.html").read_text()
    assert 'css/print.css\' %}" media="print">' in base
