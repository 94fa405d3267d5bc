"""Real-browser tests: Playwright (Python) driving Debian's Chromium.

- Chromium is the distribution's package (/usr/bin/chromium): no browser download.
  Without it every test here is skipped with a loud reason (``make test`` says so too).
- axe-core and vnu-jar come from npm (package.json / package-lock.json; ``npm ci``).
- The site runs on Django's live server with the real content/ folder loaded.
- Screenshots, the print PDF and the saved HTML go to artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("PAINSITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(settings.BASE_DIR)
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "artifacts"
# CI sets this: there a missing browser is a failure, never a skip.
REQUIRED = os.environ.get("PAINSITE_REQUIRE_BROWSER", "") == "1"
SKIP_REASON = "BROWSER TESTS SKIPPED: chromium not installed (apt-get install chromium)"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists() and not REQUIRED:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def site(live_server):
    """The live server's base URL, with the real content loaded."""
    from editorial import loader

    loader.load(settings.CONTENT_DIR)
    return live_server.url


@pytest.fixture
def browser(site):
    """Chromium, started after the database is ready and stopped before it is reset.

    Playwright's sync API runs an asyncio loop in this thread while it is open; Django
    then sees an "async context" and a different connection object, so no database
    work may happen while it runs (the test's queries all go through the live server).
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing and PAINSITE_REQUIRE_BROWSER=1: {SKIP_REASON}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; console errors (CSP violations, missing files) are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in {ROOT} (make test does).")
    return AXE_JS.read_text()


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    java = shutil.which("java")
    if not VNU_JAR.exists() or not java:
        pytest.fail(
            f"Need {VNU_JAR} (run `npm ci`) and java (apt-get install default-jre-headless)."
        )
    return [java, "-jar", str(VNU_JAR)]
