"""Staff journeys through the editing workflow in real Chromium.

Each test signs people in through the admin's own sign-in form, each person in their
own browser context (their own cookies), and does what clinic staff do: edit in two
tabs, submit a change, review and publish it, send it back with a note, press Save
without changing anything. The review and conflict screens are checked with axe and
photographed (phone and desktop) into artifacts/screenshots/workflow-*.png.

The browser runs an asyncio loop in the test's thread, so database checks run in a
worker thread (``in_db``); the people and the content are made before it starts.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from tests.browser.test_browser import AXE_TAGS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SLUG = "medial-branch-block"
PUBLIC = f"/procedures/{SLUG}/"
PASSWORD = "a-long-test-password"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def in_db(query):
    """Run ``query()`` in a worker thread, where Django may use the database."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(query).result()


@pytest.fixture
def desk(site):
    """Three staff members and the published page they work on (made before the browser)."""
    from procedures.models import Procedure
    from tests.factories import make_editor, make_reviewer

    page = Procedure.objects.get(slug=SLUG)
    assert page.is_published
    make_editor("ann")
    make_editor("eve")
    make_reviewer("rita")
    return {
        "pk": page.pk,
        "change": reverse("admin:procedures_procedure_change", args=[page.pk]),
        "history": reverse("admin:procedures_procedure_history", args=[page.pk]),
        "list": reverse("admin:procedures_procedure_changelist"),
        "summary": page.summary,
        "main_message": page.main_message,
        "title": page.title,
    }


@pytest.fixture
def staff_browser(desk, browser):
    """The browser, started after ``desk`` has written to the database."""
    return browser


def history_count(pk) -> int:
    from procedures.models import Procedure

    return in_db(lambda: Procedure.history.filter(id=pk).count())


def sign_in(browser, site, username):
    """A person at their own computer: a new context, signed in with the admin's form."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(site + reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    assert page.locator("#user-tools").inner_text().upper().count(username.upper()) == 1
    return page


def patient_sees(browser, site):
    """The public page as a patient sees it now (a fresh context: no cached copy)."""
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(site + PUBLIC)
    assert response.status == 200
    seen = {
        "summary": page.locator('meta[name="description"]').get_attribute("content"),
        "main_message": " ".join(page.locator(".main-message").text_content().split()),
    }
    context.close()
    return seen


def press_save(page):
    page.locator("input[name='_save']").first.click()
    page.wait_for_load_state("load")


def messages(page) -> list[str]:
    return [m.strip() for m in page.locator("ul.messagelist li").all_inner_texts()]


def check_screen(page, axe_source, artifacts, name, exclude=()):
    """axe (WCAG 2.2 AA) finds nothing at phone and desktop width; save both screenshots.

    ``exclude``: CSS selectors of parts that are Django's own widgets, not the workflow's.
    """
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    problems = {}
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            """([tags, exclude]) => axe.run(
                {include: [document], exclude: exclude.map(s => [s])},
                {runOnly: {type: 'tag', values: tags}})""",
            [AXE_TAGS, list(exclude)],
        )
        assert result["passes"], f"axe ran no checks on {name}"
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:5]
            problems[f"{name}@{width}: {violation['id']}"] = (violation["help"], targets)
        sizes = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if sizes[0] > sizes[1]:
            problems[f"{name}@{width}: wider than the screen"] = sizes
        file = folder / f"workflow-{name}-{label}.png"
        page.screenshot(path=str(file), full_page=True)
        assert file.stat().st_size > 10_000
    page.set_viewport_size({"width": SIZES["desktop"][0], "height": SIZES["desktop"][1]})
    assert not problems, json.dumps(problems, indent=1)


def check_both_texts(page, theirs, mine):
    """The summary row shows their text as removed and mine as added, changed words marked."""
    row = page.locator("section.diff-field", has=page.locator("h2", has_text="Summary"))
    assert row.locator("del.diff-line").inner_text() == theirs
    assert row.locator("ins.diff-line").inner_text() == mine
    assert row.locator("del.diff-line mark").count() >= 1
    assert row.locator("ins.diff-line mark").count() >= 1


def check_choices(page):
    assert page.get_by_role("button", name="Use my version").is_visible()
    assert page.get_by_role("link", name="Merge by hand").is_visible()
    assert page.get_by_role("link", name="Keep their version").is_visible()


def compare_texts_in_history(page, site, desk) -> str:
    """Every "Compare with now" page of the History, as text (what staff can look back at)."""
    page.goto(site + desk["history"])
    links = page.get_by_role("link", name="Compare with now")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    texts = []
    for href in hrefs:
        page.goto(site + href)
        texts.append(page.locator("#content-main").inner_text())
    return "\n".join(texts)


def test_one_person_in_two_tabs_gets_the_conflict_screen_and_keeps_both_texts(
    desk, staff_browser, site, axe_source, artifacts
):
    first = "Saved first, in tab one, by the reviewer."
    mine = "My careful rewrite from the second tab."
    tab1 = sign_in(staff_browser, site, "rita")
    tab2 = tab1.context.new_page()
    for tab in (tab1, tab2):
        tab.goto(site + desk["change"])
    tab1.fill("#id_summary", first)
    tab2.fill("#id_summary", mine)

    press_save(tab1)
    assert messages(tab1) == ["Published: patients now see this version."]
    assert patient_sees(staff_browser, site)["summary"] == first

    press_save(tab2)
    assert "/conflict/" in tab2.url
    alert = tab2.get_by_role("alert")
    assert "You, in another tab or window, changed this page while you were editing it." in (
        alert.inner_text()
    )
    check_both_texts(tab2, first, mine)
    check_choices(tab2)
    check_screen(tab2, axe_source, artifacts, "conflict-same-person")

    tab2.get_by_role("button", name="Use my version").click()
    tab2.wait_for_url(f"**{desk['change']}")
    assert messages(tab2) == ["Restored. Nothing was deleted from the history."]
    assert tab2.locator("#id_summary").input_value() == mine
    assert patient_sees(staff_browser, site)["summary"] == mine
    assert first in compare_texts_in_history(tab2, site, desk)


def test_two_people_at_once_get_the_conflict_screen_and_the_reviewer_uses_theirs(
    desk, staff_browser, site, axe_source, artifacts
):
    anns = "Ann's shorter summary of the test injection."
    ritas = "Rita's checked summary of the numbing test."
    ann = sign_in(staff_browser, site, "ann")
    rita = sign_in(staff_browser, site, "rita")
    for person in (ann, rita):
        person.goto(site + desk["change"])
    ann.fill("#id_summary", anns)
    rita.fill("#id_summary", ritas)

    press_save(ann)
    assert messages(ann)[0].startswith("Your changes are saved and waiting for a clinical reviewer")
    assert patient_sees(staff_browser, site)["summary"] == desk["summary"]

    press_save(rita)
    assert "/conflict/" in rita.url
    assert "Ann changed this page while you were editing it." in (
        rita.get_by_role("alert").inner_text()
    )
    assert "their version (now waiting for review)" in rita.locator("#content-main").inner_text()
    check_both_texts(rita, anns, ritas)
    check_choices(rita)
    check_screen(rita, axe_source, artifacts, "conflict-two-people")

    # "Merge by hand" opens the form with Rita's text (here in a new tab, to come back).
    merge = rita.context.new_page()
    merge.goto(site + rita.get_by_role("link", name="Merge by hand").get_attribute("href"))
    assert merge.locator("#id_summary").input_value() == ritas
    merge.close()

    rita.get_by_role("button", name="Use my version").click()
    rita.wait_for_url(f"**{desk['change']}")
    assert messages(rita) == ["Restored. Nothing was deleted from the history."]
    assert patient_sees(staff_browser, site)["summary"] == ritas
    assert anns in compare_texts_in_history(rita, site, desk)
    rita.goto(site + desk["history"])
    # Ann's text was never published: History says it was replaced.
    anns_row = rita.locator("#change-history tbody tr", has_text="Submitted for review")
    assert "Replaced by a later change" in anns_row.inner_text()
    check_screen(rita, axe_source, artifacts, "history")


def test_review_queue_word_diff_and_publish(desk, staff_browser, site, axe_source, artifacts):
    old = desk["main_message"]
    assert " short relief " in old
    new = old.replace(" short relief ", " brief relief ")

    ann = sign_in(staff_browser, site, "ann")
    ann.goto(site + desk["change"])
    ann.fill("#id_main_message", new)
    press_save(ann)
    assert "waiting for a clinical reviewer" in messages(ann)[0]
    assert "A change is waiting for review." in ann.get_by_role("status").first.inner_text()
    assert patient_sees(staff_browser, site)["main_message"] == f"In short: {old}"

    # The page list says it in words, and the filter finds it.
    ann.goto(site + desk["list"])
    ann.get_by_role("link", name="Waiting for review").click()
    rows = ann.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert desk["title"] in rows.first.inner_text()
    badge = rows.first.locator(".field-waiting .badge--waiting")
    assert badge.inner_text().strip().endswith("Waiting for review")  # words, not only a sign
    assert badge.locator('[aria-hidden="true"]').count() == 1  # the icon is not read out

    rita = sign_in(staff_browser, site, "rita")
    queue = rita.locator("section.review-queue")
    assert queue.get_by_role("heading", name="Waiting for review").is_visible()
    row = queue.locator("tbody tr", has_text=desk["title"])
    assert "ann" in row.inner_text()
    row.get_by_role("link", name=desk["title"]).click()
    rita.wait_for_url("**/review/")
    assert "changes by ann" in rita.locator("#content-main").inner_text()

    field = rita.locator("section.diff-field", has=rita.locator("h2", has_text="Main message"))
    assert field.locator("del mark").all_inner_texts() == ["short "]
    assert field.locator("ins mark").all_inner_texts() == ["brief "]
    assert field.locator("del.diff-line").inner_text() == old
    assert field.locator("ins.diff-line").inner_text() == new
    check_screen(rita, axe_source, artifacts, "review")

    rita.get_by_role("button", name="Publish this change").click()
    rita.wait_for_url(f"**{desk['change']}")
    assert messages(rita) == ["Published: patients now see this version."]
    assert patient_sees(staff_browser, site)["main_message"] == f"In short: {new}"

    rita.goto(site + desk["list"] + "?waiting=yes")
    assert rita.locator("#result_list").count() == 0  # nothing waiting any more
    rita.goto(site + desk["list"])
    row = rita.locator("#result_list tbody tr", has_text=desk["title"])
    assert row.locator(".field-waiting").inner_text() != "Waiting for review"


def test_send_back_with_a_note_the_editor_then_reads(
    desk, staff_browser, site, axe_source, artifacts
):
    note = "Please keep the word numbing: patients know it."
    ann = sign_in(staff_browser, site, "ann")
    ann.goto(site + desk["change"])
    sent = "A test shot of medicine near small spine nerves."
    ann.fill("#id_summary", sent)
    press_save(ann)

    rita = sign_in(staff_browser, site, "rita")
    rita.locator("section.review-queue").get_by_role("link", name=desk["title"]).click()
    rita.wait_for_url("**/review/")
    rita.get_by_label("Note for the editor (what should change?)").fill(note)
    rita.get_by_role("button", name="Send back to the editor").click()
    rita.wait_for_url(f"**{desk['change']}")
    assert messages(rita) == ["Sent back to the editor with your note."]
    assert patient_sees(staff_browser, site)["summary"] == desk["summary"]

    ann.goto(site + desk["change"])
    notice = ann.locator(".workflow-notice--sent-back")
    assert "Rita sent the last change back" in notice.inner_text()
    assert notice.locator("blockquote").inner_text() == note
    assert ann.locator("#id_summary").input_value() == desk["summary"]  # the published text
    # Django's own two-list link pickers put aria-label on a plain span (its bug, not ours).
    check_screen(ann, axe_source, artifacts, "sent-back")

    # Ann takes up her own text again, follows the note, and sends it for review.
    notice.get_by_role("link", name="Open the text that was sent back").click()
    assert ann.locator("#id_summary").input_value() == sent
    ann.fill("#id_summary", "A test shot of numbing medicine near small spine nerves.")
    press_save(ann)
    assert "waiting for a clinical reviewer" in messages(ann)[0]
    assert ann.locator(".workflow-notice--sent-back").count() == 0
    assert "A change is waiting for review." in ann.locator(".workflow-notice").inner_text()


def test_an_untouched_save_creates_nothing(desk, staff_browser, site):
    ann = sign_in(staff_browser, site, "ann")
    before = history_count(desk["pk"])
    ann.goto(site + desk["history"])
    versions = ann.locator("p.paginator").inner_text()

    ann.goto(site + desk["change"])
    press_save(ann)
    assert messages(ann) == ["Nothing was changed, so nothing was saved."]
    assert history_count(desk["pk"]) == before
    ann.goto(site + desk["history"])
    assert ann.locator("p.paginator").inner_text() == versions
    ann.goto(site + desk["change"])
    assert ann.locator(".workflow-notice").count() == 0  # nothing waiting for review
