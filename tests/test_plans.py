"""My procedure plan: the steps' format, the dated plan, the calendar file, privacy."""

import datetime
import logging
import re
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import clinic_details
from core.pages import Status
from editorial import loader
from plans import plan as plan_builder
from plans.models import Condition, Period, PrepPlan, parse_steps
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

STEPS = """## 7 days before

- Tell the clinic about all your medicines.
- [blood thinner] Follow the plan the clinic gave you for your blood thinner.
- [weight-loss injection] Tell the clinic about your weekly injection.

## The day before

- Pack your medicine list.
- [sedation] Check the times for your last food and drink.

## The morning of

- [diabetes] Take your diabetes medicine only as the clinic told you.
- Wear loose clothes.

## The first 24 hours

- Rest at home.

## 3 days after

- Score your pain once a day.

## Follow-up: 14 days after

- Bring your pain diary.
"""

# 2027: daylight saving time starts in the US on Sunday 14 March.
PROCEDURE_DAY = datetime.date(2027, 3, 16)


def make_plan(procedure, steps=STEPS, status=Status.PUBLISHED, slug=None):
    plan = PrepPlan.objects.create(
        title=f"{procedure.title}: your plan",
        slug=slug or procedure.slug,
        steps=steps,
        status=status,
    )
    plan.procedures.set([procedure])
    return plan


def plan_url(slug="focus", day=PROCEDURE_DAY, **options):
    query = f"procedure={slug}&date={day.isoformat()}"
    for name in options:
        query += f"&{name}=on"
    return f"{reverse('plans:plan')}?{query}"


# --- the format staff write ----------------------------------------------------


def test_steps_are_parsed_with_their_day_and_condition():
    steps, problems = parse_steps(STEPS)
    assert problems == []
    assert [(s["period"], s["offset"], s["condition"]) for s in steps] == [
        (Period.WEEK_BEFORE, -7, Condition.ALWAYS),
        (Period.WEEK_BEFORE, -7, Condition.BLOOD_THINNER),
        (Period.WEEK_BEFORE, -7, Condition.WEIGHT_LOSS),
        (Period.DAY_BEFORE, -1, Condition.ALWAYS),
        (Period.DAY_BEFORE, -1, Condition.SEDATION),
        (Period.MORNING, 0, Condition.DIABETES),
        (Period.MORNING, 0, Condition.ALWAYS),
        (Period.FIRST_DAY, 0, Condition.ALWAYS),
        (Period.TWO_WEEKS, 3, Condition.ALWAYS),
        (Period.FOLLOW_UP, 14, Condition.ALWAYS),
    ]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("## Next Tuesday\n\n- Rest.", 1, "not a time the plan knows"),
        ("## 40 days before\n\n- Rest.", 1, "not a time the plan knows"),
        ("- Rest.", 1, "has no time"),
        ("## The day before\n\n- [smoker] Rest.", 3, "Unknown condition"),
        ("## The day before\n\nRest at home.", 3, "starting with '- '"),
        ("## The day before\n\n- Rest.\n\n## 7 days before\n\n- Ask.", 5, "out of order"),
        ("## The day before\n\n- Rest.\n\n## The day before\n\n- Ask.", 5, "given twice"),
        ("## The day before\n\n{{ include blood-thinners }}", 3, "cannot be included"),
    ],
)
def test_steps_that_cannot_be_read_are_refused_at_their_line(text, line, message):
    steps, problems = parse_steps(text)
    assert any(n == line and message in m for n, m in problems), problems


def test_the_loader_refuses_a_bad_step_with_file_and_line(tmp_path):
    procedure_dir = tmp_path / "plans"
    procedure_dir.mkdir()
    make_procedure(slug="focus")
    (procedure_dir / "focus.md").write_text(
        "---\ntitle: 'Focus: your plan'\nslug: focus\nprocedures:\n- focus\n---\n\n"
        "## The day before\n\n- [smoker] Rest.\n"
    )
    with pytest.raises(loader.ContentError) as error:
        loader.load(tmp_path, dry_run=True)
    assert "plans/focus.md:10" in str(error.value)
    assert "Unknown condition" in str(error.value)


def test_a_step_restating_a_shared_rule_is_refused(tmp_path, site_content):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "joint-injection.md").write_text(
        "---\ntitle: 'Joint: your plan'\nslug: joint-injection\nprocedures:\n- joint-injection\n"
        "---\n\n## The first 24 hours\n\n- Do not drive for 24 hours.\n"
    )
    with pytest.raises(loader.ContentError) as error:
        loader.load(tmp_path, dry_run=True)
    assert "plans/joint-injection.md:10" in str(error.value)
    assert "driving-and-sedation" in str(error.value)


# --- the dated plan -----------------------------------------------------------


def test_the_plan_dates_each_step_and_adds_only_the_chosen_conditions(client):
    procedure = make_procedure(slug="focus")
    make_plan(procedure)
    html = client.get(plan_url(blood_thinner=1)).content.decode()
    assert '<time datetime="2027-03-09">' in html  # 7 days before
    assert '<time datetime="2027-03-15">' in html  # the day before
    assert '<time datetime="2027-03-16">' in html  # the morning of, the first 24 hours
    assert '<time datetime="2027-03-19">' in html  # 3 days after
    assert '<time datetime="2027-03-30">' in html  # follow-up
    assert "your blood thinner" in html
    assert "weekly injection" not in html
    assert "last food and drink" not in html
    html = client.get(plan_url(sedation=1, diabetes=1, weight_loss=1)).content.decode()
    assert "your blood thinner" not in html
    assert "weekly injection" in html and "last food and drink" in html
    assert "diabetes medicine" in html


def test_the_plan_parts_come_in_order_and_link_to_the_page_sections(site_content, client):
    html = client.get(plan_url("epidural-steroid-injection", sedation=1)).content.decode()
    headings = re.findall(r'<h3 id="part-[a-z-]+">(.*?)</h3>', html)
    assert headings == [label for _, label in Period.choices]
    assert 'href="/procedures/epidural-steroid-injection/#how-to-prepare"' in html
    assert 'href="/procedures/epidural-steroid-injection/#after-the-procedure"' in html
    assert 'href="/procedures/epidural-steroid-injection/#when-to-get-help"' in html
    assert "{{" not in html


def test_build_groups_steps_by_part_and_day():
    plans = [PrepPlan(steps_json=parse_steps(STEPS)[0])]
    parts = plan_builder.build(plans, PROCEDURE_DAY, {Condition.SEDATION})
    assert [p["period"] for p in parts] == [value for value, _ in Period.choices]
    day_before = parts[1]["days"][0]
    assert day_before["date"] == datetime.date(2027, 3, 15)
    assert [s["text"] for s in day_before["steps"]] == [
        "Pack your medicine list.",
        "Check the times for your last food and drink.",
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        ("procedure=focus", None),  # first view: the procedure chosen, no errors yet
        ("procedure=focus&date=", "Enter the date of your procedure."),
        ("procedure=focus&date=16/03/2027", "Enter the date as year-month-day"),
        ("procedure=focus&date=2001-01-01", "Choose a date between"),
        ("procedure=nope&date=2027-03-16", "Choose your procedure."),
    ],
)
def test_the_form_explains_what_is_wrong(client, query, message):
    make_plan(make_procedure(slug="focus"))
    response = client.get(f"{reverse('plans:plan')}?{query}")
    html = response.content.decode()
    if message is None:
        assert response.status_code == 200
        assert '<option value="focus" selected>' in html
        assert 'role="alert"' not in html
    else:
        assert response.status_code == 400
        assert message in html and 'aria-invalid="true"' in html


# --- visibility ------------------------------------------------------------------


def test_drafts_are_never_shown(client):
    shown = make_procedure(slug="focus", title="Shown procedure")
    make_plan(shown)
    draft_steps = make_procedure(slug="draft-steps", title="Only draft steps")
    make_plan(draft_steps, status=Status.DRAFT)
    draft_procedure = make_procedure(slug="draft-page", title="Draft page", status=Status.DRAFT)
    make_plan(draft_procedure)
    html = client.get(reverse("plans:plan")).content.decode()
    assert "Shown procedure" in html
    assert "Only draft steps" not in html and "Draft page" not in html
    for slug in ("draft-steps", "draft-page"):
        assert client.get(plan_url(slug)).status_code == 400
        assert (
            client.get(plan_url(slug).replace("/plan/?", "/plan/calendar.ics?")).status_code == 400
        )
    # A draft set next to a published one adds nothing.
    make_plan(
        shown, steps="## The day before\n\n- Secret draft step.", status=Status.DRAFT, slug="x"
    )
    assert "Secret draft step" not in client.get(plan_url()).content.decode()


def test_make_my_plan_is_linked_from_the_procedure_page_and_the_footer(client):
    with_plan = make_procedure(slug="focus")
    make_plan(with_plan)
    without = make_procedure(slug="other")
    html = client.get(with_plan.get_absolute_url()).content.decode()
    assert 'href="/plan/?procedure=focus">Make my plan</a>' in html
    html = client.get(without.get_absolute_url()).content.decode()
    assert "Make my plan</a>" not in html
    assert 'href="/plan/">Make my procedure plan</a>' in html  # the footer


def test_query_counts_are_pinned(client, django_assert_num_queries):
    procedure = make_procedure(slug="focus")
    make_plan(procedure)
    with django_assert_num_queries(1):  # the procedures with published steps
        client.get(reverse("plans:plan"))
    with django_assert_num_queries(2):  # + the procedure's published steps
        assert client.get(plan_url(blood_thinner=1)).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(plan_url().replace("/plan/?", "/plan/calendar.ics?")).status_code == 200
    for n in range(5):
        make_plan(make_procedure(slug=f"more-{n}"))
    with django_assert_num_queries(2):
        client.get(plan_url())


# --- the calendar file -----------------------------------------------------------


def calendar_for(client, slug="focus", day=PROCEDURE_DAY, **options):
    response = client.get(plan_url(slug, day, **options).replace("/plan/?", "/plan/calendar.ics?"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="plan-{slug}.ics"'
    return icalendar.Calendar.from_ical(response.content)


def test_the_calendar_parses_with_the_right_dates_across_a_daylight_saving_change(client):
    make_plan(make_procedure(slug="focus", title="Focus block"))
    cal = calendar_for(client, blood_thinner=1)
    zone_name = clinic_details()["time_zone"]
    assert zone_name == "America/New_York"
    zone = zoneinfo.ZoneInfo(zone_name)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [zone_name]
    events = cal.walk("VEVENT")
    starts = [event.decoded("DTSTART") for event in events]
    assert [start.date() for start in starts] == [
        datetime.date(2027, 3, 9),  # 7 days before: still standard time
        datetime.date(2027, 3, 15),
        datetime.date(2027, 3, 16),  # the morning of
        datetime.date(2027, 3, 16),  # the first 24 hours
        datetime.date(2027, 3, 19),
        datetime.date(2027, 3, 30),
    ]
    for start in starts:
        assert str(start.tzinfo) == zone_name or start.tzinfo.key == zone_name
    local = [start.astimezone(zone) for start in starts]
    assert local[0].hour == 8 and local[1].hour == 8  # the same wall-clock time ...
    assert local[0].utcoffset() == datetime.timedelta(hours=-5)  # ... before the change
    assert local[1].utcoffset() == datetime.timedelta(hours=-4)  # ... and after it
    assert local[2].hour == 6 and local[2].minute == 30  # the morning of: earlier
    assert "DTSTART;TZID=America/New_York:20270309T080000" in cal.to_ical().decode()
    for event in events:
        assert event["UID"] and event.decoded("DTSTAMP").tzinfo is not None
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert event["SUMMARY"].startswith("Focus block: ")
        assert event.walk("VALARM")
    first = events[0]
    assert "your blood thinner" in str(first["DESCRIPTION"])
    assert "http" in str(first["URL"]) and "date=" not in str(first["URL"])
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_the_calendar_for_every_procedure_is_valid(site_content, client):
    from procedures.models import Procedure

    for procedure in Procedure.objects.published():
        cal = calendar_for(client, procedure.slug, sedation=1, diabetes=1)
        events = cal.walk("VEVENT")
        assert len(events) >= 6, procedure.slug
        for event in events:
            for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
                assert name in event
            assert "{{" not in str(event["DESCRIPTION"])


# --- privacy: nothing stored, nothing logged, nothing cached --------------------


def test_nothing_the_patient_enters_is_stored(client):
    make_plan(make_procedure(slug="focus"))
    for url in (plan_url(blood_thinner=1), plan_url().replace("/plan/?", "/plan/calendar.ics?")):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries), queries
        assert not response.cookies
        assert response["Cache-Control"] == "private, no-store, max-age=0"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
    html = client.get(plan_url()).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_nothing_the_patient_enters_is_logged(client, caplog):
    make_plan(make_procedure(slug="focus"))
    caplog.set_level(logging.DEBUG)
    client.get(plan_url(blood_thinner=1, weight_loss=1))
    client.get(plan_url(diabetes=1).replace("/plan/?", "/plan/calendar.ics?"))
    client.get(plan_url(day=datetime.date(2001, 1, 1), sedation=1))  # a refused form too
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("2027-03-16", "2001-01-01", "blood_thinner", "weight_loss", "diabetes",
                   "sedation", "date="):  # fmt: skip
        assert secret not in logged


def test_the_access_log_carries_the_path_only():
    """gunicorn's access line for a plan request: method and path, no query string."""
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from tests.test_gunicorn_config import CONFIG

    settings_ = runpy.run_path(str(CONFIG))
    cfg = Config()
    cfg.set("access_log_format", settings_["access_log_format"])
    query = "procedure=focus&date=2027-03-16&blood_thinner=on"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/plan/",
        "QUERY_STRING": query,
        "RAW_URI": f"/plan/?{query}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(
        status="200 OK", sent=100, headers=[("X-Request-ID", "abc")], response_length=100
    )
    request = SimpleNamespace(headers=[], uri=f"/plan/?{query}", path="/plan/", query=query,
                              method="GET", version=(1, 1))  # fmt: skip
    atoms = Logger(cfg).atoms(response, request, environ, datetime.timedelta(seconds=0.01))
    line = cfg.access_log_format % atoms
    assert '"GET /plan/"' in line
    assert "2027" not in line and "blood_thinner" not in line and "date=" not in line


# --- the content ------------------------------------------------------------------


def test_every_published_procedure_has_a_plan_covering_every_part(site_content):
    from procedures.models import Procedure

    for procedure in Procedure.objects.published():
        plans = PrepPlan.objects.published().filter(procedures=procedure)
        assert plans.exists(), procedure.slug
        steps = [step for plan in plans for step in plan.steps_json]
        assert {s["period"] for s in steps} == {value for value, _ in Period.choices}
        assert any(s["condition"] == Condition.BLOOD_THINNER for s in steps), procedure.slug
        assert any(s["condition"] == Condition.WEIGHT_LOSS for s in steps), procedure.slug
        assert all(len(s["text"].split()) <= 25 for s in steps)


def test_an_editors_change_waits_for_review_and_the_public_plan_keeps_the_live_steps(client):
    from editorial import workflow
    from tests.factories import make_reviewer, make_waiting_change

    steps = make_plan(make_procedure(slug="focus"))
    make_waiting_change(steps, steps=STEPS.replace("Pack your medicine list.", "Pack a snack."))
    html = client.get(plan_url()).content.decode()
    assert "Pack your medicine list." in html and "Pack a snack." not in html
    steps.refresh_from_db()
    workflow.publish(steps, make_reviewer())
    assert "Pack a snack." in client.get(plan_url()).content.decode()
    assert steps.history.count() >= 3  # created, submitted, published


def test_the_admin_form_refuses_what_the_parser_cannot_read(admin_client):
    procedure = make_procedure(slug="focus")
    response = admin_client.post(
        reverse("admin:plans_prepplan_add"),
        {
            "title": "Focus: your plan",
            "slug": "focus",
            "status": Status.DRAFT,
            "order": 100,
            "steps": "## Next Tuesday\n\n- Rest.",
            "procedures": [procedure.pk],
        },
    )
    assert response.status_code == 200
    assert "is not a time the plan knows" in response.content.decode()
    assert not PrepPlan.objects.exists()


def test_the_page_cache_never_keeps_a_plan(client):
    make_plan(make_procedure(slug="focus"))
    for url in (
        reverse("plans:plan"),
        plan_url(),
        plan_url().replace("/plan/?", "/plan/calendar.ics?"),
    ):
        for _ in range(2):
            response = client.get(url)
            assert response["X-Page-Cache"] in {"bypass", "skip", "not stored"}, (
                url,
                response["X-Page-Cache"],
            )
    # The procedure page itself is kept, as before: the cache is on in this test.
    client.get("/procedures/focus/")
    assert client.get("/procedures/focus/")["X-Page-Cache"] == "hit"
