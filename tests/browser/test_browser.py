"""The site in real Chromium: accessibility (axe-core), valid HTML (Nu Html Checker),
keyboard use, no sideways scrolling at 320 px, and screenshots and a print PDF for review.

Each test walks every page type and reports all problems at once.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROCEDURE = "/procedures/medial-branch-block/"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Focus is visible if the focused element draws an outline or a box shadow.
FOCUS_STYLE_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
        tag: el.tagName, text: (el.innerText || '').trim().slice(0, 60),
        href: el.getAttribute('href') || '',
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                 && s.outlineColor !== 'rgba(0, 0, 0, 0)',
        shadow: s.boxShadow !== 'none',
        onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                  && r.top < innerHeight && r.left < innerWidth,
    };
}"""


WIDER_THAN_SCREEN_JS = """() => {
    const width = document.documentElement.clientWidth + 1;
    return [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width)
        .slice(0, 5).map(e => e.tagName + '.' + e.className);
}"""


def page_types() -> dict[str, tuple[str, int]]:
    """Every page type: name -> (path, expected status)."""
    pages = {
        "home": (reverse("home"), 200),
        "procedure-list": (reverse("procedures:list"), 200),
        "procedure": (PROCEDURE, 200),
        "compare": (reverse("procedures:compare"), 200),
        "compare-chosen": (
            reverse("procedures:compare")
            + "?p=medial-branch-block&p=radiofrequency-ablation&p=facet-joint-injection",
            200,
        ),
        "where-it-hurts": (reverse("procedures:where_it_hurts"), 200),
        "condition-list": (reverse("conditions:list"), 200),
        "condition": ("/conditions/sciatica/", 200),
        "faq": (reverse("faq:list"), 200),
        "glossary": (reverse("glossary:list"), 200),
        "search": (reverse("search:results") + "?q=nerve+block", 200),
        "search-uncovered": (reverse("search:results") + "?q=chest+pain", 200),
        "how-we-write": (reverse("how_we_write"), 200),
        "404": ("/no-such-page/", 404),
    }
    return pages


def visit(page, site, path, status=200):
    response = page.goto(site + path, wait_until="load")
    assert response.status == status, (path, response.status)
    return response


def test_axe_finds_no_wcag_22_aa_violations(browser, site, axe_source):
    # axe-core is injected as a script, so this context bypasses the site's CSP.
    # (The CSP itself is exercised by the other tests, which fail on console errors.)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = {}
    for name, (path, status) in page_types().items():
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            visit(page, site, path, status)
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


def test_every_page_type_is_valid_html(page, site, vnu, artifacts):
    folder = artifacts / "html"
    folder.mkdir(exist_ok=True)
    files = []
    for name, (path, status) in page_types().items():
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
    assert len(files) >= 10


def test_no_console_errors_under_the_sites_csp(page, site):
    """Every page loads with the real Content-Security-Policy and no errors in the console."""
    for name, (path, status) in page_types().items():
        if status != 200:
            continue
        page.console_errors.clear()
        response = visit(page, site, path)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
        assert not page.console_errors, (name, page.console_errors)


def test_no_sideways_scrolling_at_320px_or_200_percent_zoom(page, site):
    """320 CSS px is a phone, or a 1280 px screen at 400 % zoom; 640 px is 200 % zoom."""
    wide = {}
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 640})
        for name, (path, status) in page_types().items():
            visit(page, site, path, status)
            sizes = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if sizes[0] > sizes[1]:
                wide[f"{name}@{width}"] = (sizes, page.evaluate(WIDER_THAN_SCREEN_JS))
    assert not wide, wide


def test_text_size_and_line_length(page, site):
    visit(page, site, PROCEDURE)
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.prose p')).fontSize)"
    )
    assert size >= 18
    # At most about 75 characters a line: measure the paragraph box against the "0" width.
    chars = page.evaluate(
        """() => {
            const p = document.querySelector('.prose p');
            const probe = document.createElement('span');
            probe.textContent = '0'.repeat(100);
            probe.style.whiteSpace = 'nowrap';
            probe.style.position = 'absolute';
            p.appendChild(probe);
            const per = probe.getBoundingClientRect().width / 100;
            probe.remove();
            return p.getBoundingClientRect().width / per;
        }"""
    )
    assert chars <= 75, chars


def tab_until(page, predicate, limit=400):
    """Press Tab until the focused element matches; every stop must show focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE_JS)
        if focus is None:
            continue
        seen.append(focus)
        assert focus["outline"] or focus["shadow"], f"focus not visible on {focus}"
        assert focus["onScreen"], f"focused element not scrolled into view: {focus}"
        if predicate(focus):
            return focus
    raise AssertionError(f"never reached the target; last stops: {seen[-5:]}")


def test_keyboard_only_journey(page, site):
    """Home -> a procedure -> its "How to prepare" section -> the FAQ, by keyboard only."""
    visit(page, site, "/")
    first = tab_until(page, lambda f: True)
    assert first["text"] == "Skip to main content"  # the first Tab shows the skip link

    tab_until(page, lambda f: f["href"] == PROCEDURE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{PROCEDURE}")
    assert page.locator("h1").inner_text() == "Medial branch block"

    tab_until(page, lambda f: f["href"] == "#how-to-prepare")
    page.keyboard.press("Enter")
    page.wait_for_url("**#how-to-prepare")
    heading = page.locator("#how-to-prepare")
    assert heading.is_visible() and heading.evaluate(
        # > -1: the jump may leave the heading a fraction of a pixel above the top
        "h => { const r = h.getBoundingClientRect(); return r.top > -1 && r.top < innerHeight; }"
    )

    # Onwards from the section (focus starts there), to the FAQ page.
    tab_until(page, lambda f: f["href"] == reverse("faq:list") and "question" in f["text"].lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('faq:list')}")
    assert page.locator("h1").inner_text() == "Questions and answers"


def test_glossary_popover_opens_by_keyboard(page, site):
    visit(page, site, PROCEDURE)
    button = page.locator("button.gloss").first
    popover = page.locator(f"#{button.get_attribute('popovertarget')}")
    assert not popover.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    assert popover.is_visible()
    page.keyboard.press("Escape")
    assert not popover.is_visible()


def test_screenshots_and_print_pdf_for_review(page, site, artifacts):
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    for label, size in {"phone": (390, 844), "desktop": (1280, 800)}.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        for name, path in {"home": "/", "procedure": PROCEDURE}.items():
            visit(page, site, path)
            file = folder / f"{name}-{label}.png"
            page.screenshot(path=str(file), full_page=True)
            assert file.stat().st_size > 10_000

    visit(page, site, PROCEDURE)
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden() and page.locator(".contents").is_hidden()
    assert page.locator(".print-only").first.is_visible()
    after = page.evaluate(
        "() => getComputedStyle(document.querySelector('main a[href^=\"/\"]'), '::after').content"
    )
    assert "/" in after  # link addresses are written out
    pdf = artifacts / "procedure-print.pdf"
    page.pdf(path=str(pdf), format="Letter", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
