"""The patient tools in real Chromium: the take-home sheet, the pain diary and the
"Was this page helpful?" form.

- every take-home sheet prints on at most 2 pages on A4 and on Letter (Chromium's
  PDF, pages counted with pypdf);
- axe-core finds no WCAG 2.2 AA violation, the Nu Html Checker no error;
- no console errors under the site's CSP, nothing wider than a 320 px screen;
- the diary's relief arithmetic, run in the browser, and no request leaves the
  diary page after it has loaded; entries survive a reload (localStorage);
- the feedback form and the diary work by keyboard alone;
- screenshots at 390 px go to artifacts/screenshots/tools-*.png.
"""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.browser.test_browser import (
    AXE_TAGS,
    FOCUS_STYLE_JS,
    WIDER_THAN_SCREEN_JS,
    tab_until,
    visit,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BLOCK = "medial-branch-block"
TRIAL = "spinal-cord-stimulation"
CONDITION = "sciatica"
MAX_PAGES = 2


def procedure_slugs() -> list[str]:
    """Every procedure in content/ (read from the files, as the database is busy)."""
    from django.conf import settings

    return sorted(path.stem for path in (settings.CONTENT_DIR / "procedures").glob("*.md"))


def tool_pages() -> dict[str, str]:
    return {
        "sheet": f"/procedures/{BLOCK}/sheet/",
        "sheet-trial": f"/procedures/{TRIAL}/sheet/",
        "diary": f"/procedures/{BLOCK}/diary/",
        "diary-trial": f"/procedures/{TRIAL}/diary/",
        "procedure-with-feedback": f"/procedures/{BLOCK}/",
        "condition-with-feedback": f"/conditions/{CONDITION}/",
        "feedback-thanks": f"/procedures/{BLOCK}/?feedback=thanks",
    }


def test_every_take_home_sheet_fits_two_pages_on_a4_and_letter(page, site, artifacts):
    folder = artifacts / "sheets"
    folder.mkdir(exist_ok=True)
    counts, too_long = {}, {}
    slugs = procedure_slugs()
    assert len(slugs) >= 15
    for slug in slugs:
        visit(page, site, f"/procedures/{slug}/sheet/")
        for paper in ("A4", "Letter"):
            pdf = page.pdf(format=paper, print_background=True)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            counts[f"{slug}@{paper}"] = pages
            if pages > MAX_PAGES:
                too_long[f"{slug}@{paper}"] = pages
            if slug in (BLOCK, "intrathecal-pain-pump", "epidural-steroid-injection"):
                (folder / f"{slug}-{paper}.pdf").write_bytes(pdf)
    (folder / "page-counts.json").write_text(json.dumps(counts, indent=1))
    assert not too_long, too_long
    # What matters on paper is there: the numbers, the QR code, the care cards.
    visit(page, site, f"/procedures/{BLOCK}/sheet/")
    page.emulate_media(media="print")
    for selector in (".sheet__numbers", ".sheet__qr svg", ".care-card--emergency"):
        assert page.locator(selector).first.is_visible(), selector
    for selector in (".site-nav", "button[data-print]", ".site-footer"):
        assert page.locator(selector).first.is_hidden(), selector
    # The QR code is drawn whole at its printed size (about 24 mm), square.
    box = page.locator(".sheet__qr svg").bounding_box()
    assert box["width"] > 85 and abs(box["width"] - box["height"]) < 1, box


def test_the_full_procedure_page_still_prints(page, site):
    visit(page, site, f"/procedures/{BLOCK}/")
    page.emulate_media(media="print")
    assert page.locator("#what-happens-during-the-procedure").is_visible()
    assert page.locator(".page-tools").is_hidden() and page.locator("#feedback").is_hidden()
    pdf = page.pdf(format="Letter", print_background=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) > MAX_PAGES  # the whole page, not the sheet


def test_axe_finds_no_violations_on_the_tools(browser, site, axe_source):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = {}
    for name, path in tool_pages().items():
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            visit(page, site, path)
            if name == "diary":  # with entries, so the summary and relief cells are checked
                page.select_option("#score-baseline", "8")
                page.select_option("#score-h1", "2")
            page.add_script_tag(content=axe_source)
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            assert result["passes"], f"axe ran no checks on {path}"
            for violation in result["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:5]
                problems[f"{name}@{width}: {violation['id']}"] = (violation["help"], targets)
    context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_the_tools_are_valid_html(page, site, vnu, artifacts):
    folder = artifacts / "html"
    folder.mkdir(exist_ok=True)
    files = []
    for name, path in tool_pages().items():
        response = visit(page, site, path)
        file = folder / f"tools-{name}.html"
        file.write_bytes(response.body())
        files.append(str(file))
    # The page shown when the form is refused (here: posted from another site).
    refused = page.request.post(
        site + reverse("feedback:submit"),
        form={"page_type": "procedure", "page": BLOCK, "helpful": "yes"},
        headers={"Origin": "https://elsewhere.example.org"},
    )
    assert refused.status == 403
    file = folder / "tools-feedback-refused.html"
    file.write_bytes(refused.body())
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


def test_no_console_errors_and_nothing_wider_than_320px(page, site):
    wide = {}
    for name, path in tool_pages().items():
        page.console_errors.clear()
        page.set_viewport_size({"width": 320, "height": 640})
        response = visit(page, site, path)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
        assert not page.console_errors, (name, page.console_errors)
        sizes = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if sizes[0] > sizes[1]:
            wide[name] = (sizes, page.evaluate(WIDER_THAN_SCREEN_JS))
    assert not wide, wide
    # The scripts ran under the CSP: the Print buttons are shown, the diary is live.
    visit(page, site, f"/procedures/{BLOCK}/")
    assert page.locator("button[data-print]").is_visible()
    visit(page, site, f"/procedures/{BLOCK}/diary/")
    assert page.locator("#score-baseline").is_visible()


RELIEF_CASES = [
    (8, 2, 75),
    (7, 3, 57),
    (3, 1, 67),
    (6, 6, 0),
    (4, 6, -50),
    (1, 0, 100),
    (0, 0, None),
    (0, 5, None),
    ("", 3, None),
    (11, 3, None),
    (5, "3.5", None),
    ("7", "2", 71),
]


def test_diary_relief_arithmetic_in_the_browser(page, site):
    visit(page, site, f"/procedures/{BLOCK}/diary/")
    got = page.evaluate(
        "cases => cases.map(([b, s]) => window.painsiteDiary.reliefPercent(b, s))",
        RELIEF_CASES,
    )
    assert got == [case[2] for case in RELIEF_CASES]
    assert page.evaluate("() => Object.is(window.painsiteDiary.reliefPercent(5, 5), 0)")


def test_diary_sends_nothing_and_keeps_entries_in_this_browser(page, site, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, site, f"/procedures/{BLOCK}/diary/")
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.select_option("#score-baseline", "8")
    page.select_option("#score-h1", "2")
    page.select_option("#score-h2", "10")
    page.fill("#note-h1", "walked to the shop")
    page.select_option("#score-d1", "4")
    assert page.locator('tr[data-row="h1"] [data-cell="relief"]').inner_text() == "75% relief"
    assert page.locator('tr[data-row="h2"] [data-cell="relief"]').inner_text() == "25% worse"
    best = page.locator('[data-summary="best"]').inner_text()
    assert best.startswith("75% relief") and "1 hour after" in best
    page.wait_for_timeout(500)
    assert requests == [], requests  # nothing left the page
    stored = page.evaluate(f"() => localStorage.getItem('painsite-diary:{BLOCK}')")
    assert json.loads(stored)["h1"]["score"] == "2"
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / "tools-diary-phone.png"), full_page=True)

    page.reload(wait_until="load")
    assert page.input_value("#score-h1") == "2"
    assert page.input_value("#note-h1") == "walked to the shop"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-diary-clear]")
    assert page.input_value("#score-h1") == ""
    assert page.evaluate(f"() => localStorage.getItem('painsite-diary:{BLOCK}')") is None


def test_diary_by_keyboard(page, site):
    visit(page, site, f"/procedures/{BLOCK}/diary/")
    tab_until(page, lambda f: f["tag"] == "SELECT")
    assert page.evaluate("() => document.activeElement.id") == "score-baseline"
    page.keyboard.type("7")  # a focused list picks the option typed
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STYLE_JS)["tag"] == "INPUT"
    page.keyboard.type("sat for an hour")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    assert page.input_value("#score-baseline") == "7"
    assert page.input_value("#score-h1") == "3"
    assert page.locator('tr[data-row="h1"] [data-cell="relief"]').inner_text() == "57% relief"
    tab_until(page, lambda f: f["text"] == "Print my diary")


def test_feedback_by_keyboard_without_javascript(browser, site, artifacts):
    """The form works with JavaScript switched off: POST, then back with a thank-you."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    visit(page, site, f"/procedures/{BLOCK}/")
    page.locator("#feedback").scroll_into_view_if_needed()
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.locator("#feedback").screenshot(path=str(folder / "tools-feedback-phone.png"))
    visit(page, site, f"/procedures/{BLOCK}/")  # from the top of the page, by Tab alone
    tab_until(page, lambda f: f["tag"] == "TEXTAREA", limit=600)
    page.keyboard.type("The pictures helped.")
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS_STYLE_JS)
    assert focus["text"] == "Yes, it helped" and (focus["outline"] or focus["shadow"])
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STYLE_JS)["text"] == "No, it did not"
    page.keyboard.press("Enter")
    page.wait_for_url("**/?feedback=thanks#feedback")
    assert page.locator(".feedback__thanks").is_visible()
    page.locator("#feedback").screenshot(path=str(folder / "tools-feedback-thanks-phone.png"))
    context.close()


def test_sheet_print_button_by_keyboard_and_screenshots(page, site, artifacts):
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, site, f"/procedures/{BLOCK}/")
    focus = tab_until(page, lambda f: f["href"] == f"/procedures/{BLOCK}/sheet/")
    assert focus["onScreen"]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/procedures/{BLOCK}/sheet/")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    tab_until(page, lambda f: f["text"] == "Print this sheet")
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.__printed") == 1
    page.screenshot(path=str(folder / "tools-sheet-phone.png"), full_page=True)
    visit(page, site, f"/procedures/{TRIAL}/diary/")
    page.screenshot(path=str(folder / "tools-diary-trial-phone.png"), full_page=True)
    for name in ("tools-sheet-phone", "tools-diary-trial-phone"):
        assert (folder / f"{name}.png").stat().st_size > 10_000
