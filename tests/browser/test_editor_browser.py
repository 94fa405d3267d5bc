"""The Markdown editor in real Chromium, as an editor uses it.

An editor writes a new page with the toolbar (heading, bold, a bulleted list, a clinic
number, a link from the page picker, an image from the image picker), sees the preview
styled by the site's own stylesheet (bullets, 16 px text) and scrolling with the text,
and sees a long sentence flagged, with its line, before saving; the save is refused with
the same message, and accepted once the sentence is split. The change form has no axe
violations and logs no CSP violation. Screenshots for the staff guide go to
artifacts/screenshots/editor-*.png.

This file makes its own small set of pages (it does not load content/), so it runs
whatever state the content folder is in.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_browser import AXE_TAGS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-test-password"
LONG = (
    "Notwithstanding the considerable variability between individuals, this injection may "
    "reduce your pain for several weeks or months after the procedure is finished."
)


def in_db(query):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(query).result()


@pytest.fixture
def desk(live_server, settings, tmp_path):
    """An editor, an image, a published procedure and a shared block (before the browser)."""
    from tests.factories import make_block, make_editor, make_figure, make_procedure

    settings.MEDIA_ROOT = tmp_path / "media"
    make_editor("ann")
    make_figure("lower-spine", alt="A drawing of the lower back, seen from the side")
    make_procedure(title="Nerve block", slug="nerve-block")
    make_block(
        slug="blood-thinners", title="Blood thinners", body="- Ask before you stop any medicine."
    )
    return {
        "site": live_server.url,
        "add": reverse("admin:procedures_condition_add"),
        "list": reverse("admin:procedures_condition_changelist"),
    }


@pytest.fixture
def chromium(desk):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def sign_in(browser, site, *, bypass_csp=False):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.missing = []
    page.on("response", lambda r: page.missing.append(r.url) if r.status == 404 else None)
    page.goto(site + reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.fill("#id_username", "ann")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    return page


def select_all_of(page, text):
    """Select ``text`` in the body text box (as a person would with the mouse)."""
    page.evaluate(
        """(text) => { const area = document.getElementById('id_body');
            const at = area.value.indexOf(text);
            area.focus(); area.setSelectionRange(at, at + text.length); }""",
        text,
    )


def caret_at_end(page):
    page.evaluate(
        """() => { const area = document.getElementById('id_body');
            area.focus(); area.setSelectionRange(area.value.length, area.value.length); }"""
    )


def tool(page, name):
    page.locator(".md-toolbar").get_by_role("button", name=name, exact=True).click()


def shoot(page, artifacts, name):
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    file = folder / f"editor-{name}.png"
    page.screenshot(path=str(file), full_page=False)
    assert file.stat().st_size > 10_000


def body(page) -> str:
    return page.locator("#id_body").input_value()


def wait_for_preview(page, text):
    page.wait_for_function(
        """(text) => {
            const box = document.querySelector('.rendered-preview');
            return box.shadowRoot && box.shadowRoot.textContent.includes(text); }""",
        arg=text,
        timeout=10_000,
    )


def test_an_editor_writes_a_page_with_the_toolbar_and_pickers(desk, chromium, artifacts):
    site = desk["site"]
    page = sign_in(chromium, site)
    page.goto(site + desk["add"])
    page.fill("#id_title", "Knee pain from wear and tear")
    page.fill("#id_summary", "Why a worn knee hurts and what may help.")
    area = page.locator("#id_body")
    toolbar = page.locator(".md-toolbar")
    assert toolbar.get_attribute("role") == "toolbar"
    assert toolbar.get_attribute("aria-controls") == "id_body"

    # A heading, then text, bold words, a list and a clinic number, with the toolbar.
    area.click()
    tool(page, "Heading")
    page.keyboard.type("What it is")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Your knee has a smooth lining. With time it can wear thin.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("It may feel stiff in the morning.")
    select_all_of(page, "stiff")
    tool(page, "Bold")
    assert "It may feel **stiff** in the morning." in body(page)
    caret_at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Rest the knee\nUse a cold pack\nKeep moving gently")
    select_all_of(page, "Rest the knee\nUse a cold pack\nKeep moving gently")
    tool(page, "Bulleted list")
    assert "- Rest the knee\n- Use a cold pack\n- Keep moving gently" in body(page)
    caret_at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Questions? Call us on ")
    tool(page, "Clinic number…")
    dialog = page.locator("dialog.md-picker")
    dialog.get_by_role("button", name="Clinic phone number").click()
    assert "Call us on {{ phone }}" in body(page)

    # A link from the page picker: the selected words become the link.
    page.keyboard.type(". A nerve block may help.")
    select_all_of(page, "A nerve block")
    tool(page, "Link to a page…")
    dialog.locator("#md-picker-search").fill("nerve")
    dialog.get_by_role("button", name="Nerve block").click()
    assert "[A nerve block](/procedures/nerve-block/) may help." in body(page)

    # An image from the picker: thumbnail and alt text shown, inserted on its own line.
    caret_at_end(page)
    tool(page, "Image…")
    choice = dialog.get_by_role("button", name="lower-spine")
    choice.wait_for()
    assert "Alt text: A drawing of the lower back" in choice.inner_text()
    thumb = choice.locator("img")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    shoot(page, artifacts, "image-picker")
    choice.click()
    assert "\n\n![A drawing of the lower back, seen from the side](images/lower-spine)\n" in (
        body(page)
    )
    # Back in the text (once the dialog has closed, a frame later).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_body'")

    # The preview: the site's stylesheet, not the admin's (bullets, 16 px text).
    wait_for_preview(page, "Keep moving gently")
    styles = page.evaluate(
        """() => {
            const root = document.querySelector('.rendered-preview').shadowRoot;
            const style = (sel) => getComputedStyle(root.querySelector(sel));
            return {
                li: style('li').listStyleType,
                liSize: style('li').fontSize,
                pSize: style('p').fontSize,
                h2Size: style('h2').fontSize,
                color: style('p').color,
                link: style('a[href="/procedures/nerve-block/"]').color,
                img: !!root.querySelector('img[alt^="A drawing of the lower back"]'),
                sheets: [...root.querySelectorAll('link')].map((l) => l.getAttribute('href')),
            };
        }"""
    )
    assert styles["li"] == "disc" and styles["liSize"] == styles["pSize"] == "16px", styles
    assert styles["color"] == "rgb(27, 27, 27)" and styles["link"] == "rgb(11, 79, 108)"
    assert styles["img"] and "/static/css/site.css" in styles["sheets"]
    public = chromium.new_page()
    public.goto(site + "/procedures/nerve-block/")
    on_site = public.evaluate(
        """() => { const style = (sel) => getComputedStyle(document.querySelector(sel));
            return {li: style('.prose li').listStyleType,
                    h2: parseFloat(style('.prose h2').fontSize),
                    p: parseFloat(style('.prose p').fontSize)}; }"""
    )
    assert on_site["li"] == styles["li"]
    # Headings keep the site's proportions to the text (the site's text is 18 px).
    assert abs(on_site["h2"] / on_site["p"] - float(styles["h2Size"][:-2]) / 16) < 0.01
    public.close()
    shoot(page, artifacts, "toolbar-and-preview")

    # A long sentence is flagged while typing, at its line, before any save.
    caret_at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.type(LONG)
    rule = page.locator(".md-rule[data-rule='sentence']")
    rule.wait_for(timeout=10_000)
    lines = body(page).split("\n")
    line = next(i for i, text in enumerate(lines, start=1) if LONG in text)
    assert rule.locator(".md-rule__line").inner_text() == f"Line {line}"
    assert "at most 20" in rule.inner_text() and LONG in rule.inner_text()
    assert "to fix before saving" in page.locator(".md-rules__summary").inner_text()
    rule.locator(".md-rule__line").click()
    selected = page.evaluate(
        """() => { const a = document.getElementById('id_body');
            return a.value.slice(a.selectionStart, a.selectionEnd); }"""
    )
    assert selected.startswith("Notwithstanding") and selected.rstrip(".") in LONG
    shoot(page, artifacts, "rule-flagged")

    # The save refuses it with the same message; splitting it lets the page save.
    page.locator("input[name='_save']").first.click()
    page.wait_for_load_state("load")
    assert f"Line {line}: This sentence has" in page.locator(".errorlist").first.inner_text()
    from procedures.models import Condition

    assert in_db(lambda: Condition.objects.filter(title__startswith="Knee pain").count()) == 0
    page.locator(".md-rule[data-rule='sentence']").wait_for(timeout=10_000)
    fixed = body(page).replace(
        LONG, "People differ a lot. This injection may ease your pain for weeks or months."
    )
    area.fill(fixed)
    page.locator(".md-rules[data-state='ok']").wait_for(timeout=10_000)
    page.locator("input[name='_continue']").first.click()
    page.wait_for_load_state("load")
    assert "Saved as a draft" in page.locator("ul.messagelist").inner_text()
    saved = in_db(lambda: Condition.objects.get(title__startswith="Knee pain"))
    assert "images/lower-spine" in saved.body and "{{ phone }}" in saved.body

    # Scroll sync: the preview follows the text box, proportionally.
    area.fill(saved.body + "\n\n" + "\n\n".join(f"Line of text {n}." for n in range(80)))
    wait_for_preview(page, "Line of text 79.")
    page.evaluate(
        "() => { const a = document.getElementById('id_body'); a.scrollTop = a.scrollHeight; }"
    )
    page.wait_for_function(
        """() => { const b = document.querySelector('.rendered-preview');
            return b.scrollHeight > b.clientHeight
                && b.scrollTop >= b.scrollHeight - b.clientHeight - 2; }""",
        timeout=5_000,
    )
    csp = [e for e in page.console_errors if "Content Security Policy" in e or "CSP" in e]
    assert csp == [], page.console_errors
    # The browser asks for /favicon.ico by itself (the admin names no icon): not ours.
    assert [url for url in page.missing if not url.endswith("/favicon.ico")] == []
    errors = [e for e in page.console_errors if "404 (Not Found)" not in e]
    assert errors == [], errors


def test_the_change_form_with_the_editor_has_no_axe_violations(desk, chromium, artifacts):
    """axe (WCAG 2.2 AA) on the change form, toolbar, rules and an open picker."""
    from procedures.models import Condition

    site = desk["site"]
    page = sign_in(chromium, site, bypass_csp=True)  # to inject axe
    page.goto(site + desk["add"])
    page.locator(".md-rules__summary").wait_for()
    page.locator("#id_body").fill(f"## What it is\n\nA short text.\n\n{LONG}")
    page.locator(".md-rule[data-rule='sentence']").wait_for(timeout=10_000)
    problems = {}
    for label, size in {"desktop": (1280, 900), "tablet": (820, 1180)}.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.add_script_tag(content=_axe())
        result = page.evaluate(AXE_RUN, [AXE_TAGS, DJANGO_WIDGETS])
        assert result["passes"]
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:5]
            problems[f"{label}: {violation['id']}"] = (violation["help"], targets)
        shoot(page, artifacts, f"change-form-{label}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(".md-toolbar").get_by_role("button", name="Image…").click()
    page.locator("dialog.md-picker [data-rule], dialog.md-picker .md-picker__item").first.wait_for()
    result = page.evaluate(AXE_RUN, [AXE_TAGS, DJANGO_WIDGETS])
    for violation in result["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:5]
        problems[f"picker: {violation['id']}"] = (violation["help"], targets)
    page.keyboard.press("Escape")
    # Focus goes back to the text once the dialog has closed (a frame later).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_body'")
    # The toolbar is one tab stop; arrow keys move along it.
    page.locator(".md-toolbar button").first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Subheading"
    assert not problems, json.dumps(problems, indent=1)
    assert in_db(lambda: Condition.objects.count()) == 0


# Links between pages are checkboxes (not Django's two-list widget): nothing is left out.
DJANGO_WIDGETS: list[str] = []
AXE_RUN = """([tags, exclude]) => axe.run(
    {include: [document], exclude: exclude.map((s) => [s])},
    {runOnly: {type: 'tag', values: tags}})"""


def _axe() -> str:
    from tests.browser.conftest import AXE_JS

    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci`.")
    return AXE_JS.read_text()
