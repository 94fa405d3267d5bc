"""A brand-new staff member signs in for the first time, in production mode, in Chromium.

No command is run: the password leads to the set-up page, the test reads the key the
page offers for typing (as a phone would scan the QR code), computes the app's code,
confirms, sees the recovery codes, signs out and signs in again with a new code. Then
the admin at tablet width: the sidebar leaves the page room, the procedure's kind menu
fits, and no page logs a Content-Security-Policy violation. axe-core finds no WCAG 2.2 AA
violation on the pages staff use: sign-in, set-up, recovery codes, home with the review
queue, a page list, the change form, History and the two-step page.

Screenshots go to artifacts/screenshots/staff-*.png (for the staff guide).
"""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "a-long-test-password"


class Clock:
    """The server's clock for TOTP codes (the live server runs in this process)."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clinic(live_server, monkeypatch):
    """A new staff member, a page to edit, the second step required: made before Chromium."""
    from tests.factories import make_editor, make_procedure

    make_editor("newstaff")
    procedure = make_procedure(title="Tablet test procedure")
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", clock)
    with override_settings(PAINSITE_REQUIRE_2FA=True):
        yield {
            "site": live_server.url,
            "clock": clock,
            "change": reverse("admin:procedures_procedure_change", args=[procedure.pk]),
        }


@pytest.fixture
def chromium(clinic):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def app_code(key: str, now: float) -> str:
    """What an authenticator app shows for ``key`` (base32, as typed) at ``now``."""
    totp = TOTP(b32decode(key.replace(" ", "")), step=30, t0=0, digits=6)
    totp.time = now
    return str(totp.token()).zfill(6)


def watch_console(page) -> list[str]:
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text[:90]}")
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe(page, axe_source, name, found):
    """Run axe-core on the page; violations go into ``found`` under the page's name.

    axe is injected as an init script (the context's ``add_init_script``), which the
    page's CSP does not block, so the CSP stays on and its violations are still seen.
    """
    page.wait_for_load_state("load")  # stylesheets applied: colour and underline checks
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    for violation in result["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:4]
        found.append(f"{name}: {violation['id']} ({len(violation['nodes'])}) {targets}")


def sign_in_with_password(page, site):
    page.goto(site + reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.fill("#id_username", "newstaff")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()


def test_a_new_staff_member_sets_up_two_step_sign_in_themselves(
    clinic, chromium, artifacts, axe_source
):
    site, clock = clinic["site"], clinic["clock"]
    violations: list[str] = []
    shots = artifacts / "screenshots"
    shots.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 820, "height": 1180}, timezone_id="UTC")
    context.add_init_script(script=axe_source)
    page = context.new_page()
    problems = watch_console(page)

    page.goto(site + reverse("admin:login"))
    axe(page, axe_source, "sign-in", violations)
    sign_in_with_password(page, site)
    page.wait_for_url(f"**{reverse('admin:two_step_set_up')}*")
    assert page.locator(".two-step-qr svg").is_visible()
    axe(page, axe_source, "two-step set-up", violations)
    page.screenshot(path=str(shots / "staff-two-step-set-up.png"), full_page=True)
    key = page.locator(".two-step-key code").text_content()
    page.fill("#id_token", app_code(key, clock.now))
    page.locator("input[type=submit][value=Confirm]").click()

    codes = page.locator(".recovery-codes code").all_text_contents()
    assert len(codes) == 10
    axe(page, axe_source, "recovery codes", violations)
    page.screenshot(path=str(shots / "staff-recovery-codes.png"), full_page=True)
    page.get_by_text("I have kept them safe: continue").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    assert "Example Pain Clinic" in page.locator("#site-name").inner_text()

    # Sign out and back in: the password, then the code the app shows half a minute later.
    page.locator("#logout-form button").click()
    sign_in_with_password(page, site)
    page.wait_for_url(f"**{reverse('admin:verify')}*")
    clock.now += 30
    page.fill("#id_token", app_code(key, clock.now))
    page.locator("input[type=submit][value=Continue]").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    assert page.locator("#user-tools").is_visible()
    axe(page, axe_source, "home and review queue", violations)
    for name, url in (
        ("page list", reverse("admin:procedures_procedure_changelist")),
        ("history", clinic["change"].replace("/change/", "/history/")),
    ):
        page.goto(site + url)
        axe(page, axe_source, name, violations)

    # The page to edit, at tablet width: the sidebar takes at most a quarter, nothing is cut.
    for width in (768, 820):
        page.set_viewport_size({"width": width, "height": 1180})
        page.goto(site + clinic["change"])
        sizes = page.evaluate(
            """() => ({
                sidebar: document.querySelector('#nav-sidebar').getBoundingClientRect().width,
                kind: document.querySelector('#id_kind').getBoundingClientRect().right,
                page: document.documentElement.scrollWidth,
            })"""
        )
        assert sizes["sidebar"] <= width / 4 + 10, sizes
        assert sizes["kind"] <= width and sizes["page"] <= width, sizes
    page.screenshot(path=str(shots / "staff-change-form-tablet.png"))
    page.locator("#toggle-nav-sidebar").click()  # folds away
    assert not page.locator("#nav-sidebar").is_visible()

    # Every page in the menu, and its "add" form: none logs a CSP violation.
    links = page.locator("#nav-sidebar a[href]").evaluate_all("els => els.map(e => e.href)")
    assert len(links) >= 8
    for link in links:
        page.goto(link)

    page.goto(site + reverse("admin:two_step"))
    assert "9 of 10" not in page.content() and "10</strong> of 10" in page.content()
    axe(page, axe_source, "two-step sign-in", violations)
    assert problems == []
    # Last: axe's own checks on the change form apply inline styles the CSP reports.
    page.goto(site + clinic["change"])
    axe(page, axe_source, "change form", violations)
    assert violations == [], violations
    context.close()
