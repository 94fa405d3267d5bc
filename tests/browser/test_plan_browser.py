"""My procedure plan and check-your-understanding in real Chromium: axe-core, the Nu Html
Checker, the site's CSP, 320 px, keyboard only, phone screenshots, and the printed plan
of every procedure on one page (counted in Chromium's PDF, Letter and A4)."""

from __future__ import annotations

import datetime
import json
import re
import subprocess

import pytest

from tests.browser.test_browser import AXE_TAGS, WIDER_THAN_SCREEN_JS, visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROCEDURES = [
    "discography",
    "epidural-steroid-injection",
    "facet-joint-injection",
    "genicular-nerve-block-and-ablation",
    "intrathecal-pain-pump",
    "joint-injection",
    "medial-branch-block",
    "nerve-root-block",
    "occipital-nerve-block",
    "percutaneous-discectomy",
    "radiofrequency-ablation",
    "sacroiliac-joint-injection",
    "spinal-cord-stimulation",
    "sympathetic-nerve-block",
    "trigger-point-injection",
]
ALL_OPTIONS = "&blood_thinner=on&diabetes=on&weight_loss=on&sedation=on"
QUIZ_PAGE = "/procedures/epidural-steroid-injection/"


def day() -> str:
    return (datetime.date.today() + datetime.timedelta(days=20)).isoformat()


def plan_path(slug="epidural-steroid-injection", options=ALL_OPTIONS) -> str:
    return f"/plan/?procedure={slug}&date={day()}{options}"


def pages() -> dict[str, tuple[str, int]]:
    return {
        "plan-form": ("/plan/", 200),
        "plan-chosen": ("/plan/?procedure=medial-branch-block", 200),
        "plan": (plan_path(), 200),
        "plan-errors": ("/plan/?procedure=epidural-steroid-injection&date=someday", 400),
        "procedure-with-quiz": (QUIZ_PAGE, 200),
    }


def pdf_pages(data: bytes) -> int:
    """The page count: the page objects, checked against the page tree's /Count."""
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages == max(int(n) for n in re.findall(rb"/Count (\d+)", data))
    return pages


def test_axe_finds_no_violations_on_the_plan_and_the_quiz(browser, site, axe_source):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = {}
    for name, (path, status) in pages().items():
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            visit(page, site, path, status)
            if name == "procedure-with-quiz":  # the answers open, as a patient would see them
                page.evaluate(
                    "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                )
            page.add_script_tag(content=axe_source)
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            assert result["passes"], path
            for violation in result["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:5]
                problems[f"{name}@{width}: {violation['id']}"] = (violation["help"], targets)
    context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_the_plan_and_the_quiz_are_valid_html(page, site, vnu, artifacts):
    folder = artifacts / "html"
    folder.mkdir(exist_ok=True)
    files = []
    for name, (path, status) in pages().items():
        response = visit(page, site, path, status)
        file = folder / f"{name}.html"
        file.write_bytes(response.body())
        files.append(str(file))
    result = subprocess.run(
        [*vnu, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    assert not errors, "\n".join(errors)


def test_no_console_errors_and_no_sideways_scrolling_at_320px(page, site):
    page.set_viewport_size({"width": 320, "height": 700})
    for name, (path, status) in pages().items():
        page.console_errors.clear()
        response = visit(page, site, path, status)
        assert "content-security-policy" in response.headers
        page.wait_for_load_state("networkidle")
        if status == 200:  # Chromium reports a 400 response itself as a console error
            assert not page.console_errors, (name, page.console_errors)
        assert page.evaluate(WIDER_THAN_SCREEN_JS) == [], name


def test_the_plan_by_keyboard_only_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    visit(page, site, "/plan/?procedure=joint-injection")
    page.focus("#id_procedure")
    assert page.evaluate("() => document.activeElement.id") == "id_procedure"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_date"
    page.fill("#id_date", day())  # typing a date into the date field
    for _ in range(4):  # Tab passes the date's month, day and year parts
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") != "id_date":
            break
    assert page.evaluate("() => document.activeElement.id") == "id_blood_thinner"
    page.keyboard.press("Space")
    for _ in range(6):  # on to the button, past the other boxes
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName") == "BUTTON":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "procedure=joint-injection" in page.url and "blood_thinner=on" in page.url
    assert page.locator("h1").inner_text().startswith("My plan: ")
    assert page.locator(".plan__part").count() == 6
    assert "your blood thinner" in page.locator(".plan").inner_text()
    href = page.locator("a[download]").get_attribute("href")
    assert href.startswith("/plan/calendar.ics?")
    # The quiz opens from the keyboard, without JavaScript.
    visit(page, site, QUIZ_PAGE)
    summary = page.locator(".quiz summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(".quiz details").first.evaluate("d => d.open")
    assert page.locator(".quiz__right").first.is_visible()
    context.close()


def test_phone_screenshots_of_the_plan_and_the_quiz(page, site, artifacts):
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, site, plan_path())
    page.screenshot(path=str(folder / "plan-phone.png"), full_page=True)
    visit(page, site, "/plan/")
    page.screenshot(path=str(folder / "plan-form-phone.png"), full_page=True)
    visit(page, site, QUIZ_PAGE)
    quiz = page.locator(".quiz")
    quiz.locator("summary").first.click()
    quiz.screenshot(path=str(folder / "quiz-phone.png"))
    for name in ("plan-phone", "plan-form-phone", "quiz-phone"):
        assert (folder / f"{name}.png").stat().st_size > 10_000


def test_the_plan_of_every_procedure_prints_on_one_page(page, site, artifacts):
    """Every option ticked (the longest plan), on Letter and on A4."""
    folder = artifacts / "plan-pdf"
    folder.mkdir(exist_ok=True)
    counts = {}
    for slug in PROCEDURES:
        visit(page, site, plan_path(slug))
        page.emulate_media(media="print")
        assert page.locator(".plan-form").is_hidden() and page.locator(".site-footer").is_hidden()
        assert page.locator(".plan__print-line").is_visible()
        for paper in ("Letter", "A4"):
            data = page.pdf(format=paper, print_background=True)
            counts[f"{slug} {paper}"] = pdf_pages(data)
            if slug == "epidural-steroid-injection":
                (folder / f"plan-{slug}-{paper}.pdf").write_bytes(data)
        page.emulate_media(media="screen")
    (folder / "page-counts.json").write_text(json.dumps(counts, indent=1))
    assert all(n >= 1 for n in counts.values()), counts
    assert {name: n for name, n in counts.items() if n != 1} == {}
