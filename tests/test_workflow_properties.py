"""Property-based: random sequences of editor and reviewer operations on one page,
through ``editorial.workflow``, keep the workflow's promises.

Two content editors and one clinical reviewer open forms (kept, so later saves use a
base taken several steps earlier), save them untouched or with new text (a reviewer's
form may also set the status; an editor's crafted one is refused), submit, restore
random earlier history records, publish, unpublish, discard, send back and mark
reviewed. A small model predicts what each operation should do (the event, the
live text, the version, the waiting change and what became of each proposal); after
every step the page, its History and the public page are compared with it, and:

1. every text anyone passed to save/submit/restore is still in History;
2. patients only ever see text a reviewer put live or published (tracked apart from
   the model, from the reviewer's own operations only), never a waiting change;
3. at most one waiting change; "unchanged" writes nothing and keeps the version, every
   other result writes exactly one record (by that person); refusals write nothing;
4. an editor never changes what patients see.

Each example runs in its own savepoint with fresh people and a fresh page, rolled back
at its end, so examples never see each other's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from core.pages import Status
from editorial import workflow
from editorial.history import Event, Outcome
from procedures.models import Procedure
from tests.factories import PROCEDURE_BODY, make_editor, make_procedure, make_reviewer

EDITOR_1, EDITOR_2, REVIEWER = 0, 1, 2
PEOPLE = st.sampled_from([EDITOR_1, EDITOR_2, REVIEWER])
CHANGES = st.sampled_from(["untouched", "summary", "body", "both"])
# How a form is sent: save (perhaps with the status field set), or submit for review.
SENDS = st.sampled_from(
    [("save", None), ("save", Status.DRAFT), ("save", Status.PUBLISHED), ("submit", None)]
)
BODY_LINE = "A small shot near a nerve."
SUMMARY_MARK = re.compile(r"Summary text (\d+) here")
BODY_MARK = re.compile(r"Version (\d+) here")
REFUSALS = (PermissionDenied, ValidationError, workflow.Stale)


def summary_text(n: int) -> str:
    return f"Summary text {n} here."


def body_text(n: int) -> str:
    assert BODY_LINE in PROCEDURE_BODY
    return PROCEDURE_BODY.replace(BODY_LINE, f"{BODY_LINE} Version {n} here.")


def text_of(values: dict) -> tuple[str, str]:
    return values["summary"], values["body"]


@dataclass(frozen=True)
class Form:
    """A change form as a person loaded it: who, the base it states, the text it showed."""

    who: int
    base: workflow.Base
    shown: dict


@dataclass
class Waiting:
    id: int
    text: tuple[str, str]
    author: int
    base_version: int


class EditorialWorkflow(RuleBasedStateMachine):
    forms = Bundle("forms")

    def __init__(self):
        super().__init__()
        self.page = None
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            self.people = [make_editor(), make_editor(), make_reviewer()]
        except BaseException:
            self.teardown()
            raise

    def teardown(self):
        if self._atomic is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._atomic = None

    # --- the model -------------------------------------------------------------

    @initialize(published=st.booleans())
    def make_page(self, published):
        self.n = 0
        status = Status.PUBLISHED if published else Status.DRAFT
        page = make_procedure(summary=summary_text(0), body=body_text(0), status=status)
        self.page = page
        self.status = status
        self.live = (summary_text(0), body_text(0))
        self.version = page.version
        self.text_at = {page.version: self.live}  # the live text at each version
        self.waiting: Waiting | None = None
        self.outcomes: dict[int, str] = {}  # history_id -> expected outcome of a proposal
        # Invariant 1: every (field, value) anyone passed in.
        self.passed = {("summary", self.live[0]), ("body", self.live[1])}
        # Invariant 2, kept apart from the model: texts a reviewer put live or published.
        self.approved = {self.live}

    def new_text(self, shown: dict, change: str) -> dict:
        values = dict(shown)
        if change == "untouched":
            return values
        self.n += 1
        if change in ("summary", "both"):
            values["summary"] = summary_text(self.n)
        if change in ("body", "both"):
            values["body"] = body_text(self.n)
        return values

    @property
    def published(self) -> bool:
        return self.status == Status.PUBLISHED

    def conflicts(self, base: workflow.Base) -> bool:
        """Someone changed the page since this base: another waiting change, or other text."""
        if base.waiting != (self.waiting.id if self.waiting else None):
            return True
        return self.text_at.get(base.version) != self.live

    def go_live(self, text, *, status=None):
        self.live = text
        if status is not None:
            self.status = status
        self.version += 1
        self.text_at[self.version] = text

    def resolve_waiting(self, outcome: str):
        if self.waiting is not None:
            self.outcomes[self.waiting.id] = outcome
            self.waiting = None

    def propose(self, record, text, who):
        self.resolve_waiting(Outcome.SUPERSEDED)
        self.waiting = Waiting(record.history_id, text, who, self.version)
        self.outcomes[record.history_id] = Outcome.WAITING

    # --- running one operation -----------------------------------------------

    def fresh(self) -> Procedure:
        return Procedure.objects.get(pk=self.page.pk)

    def act(self, who: int, expected, call):
        """Run ``call(page, user)``: check promises 3 and 4 around it, then that it did what
        the model ``expected`` (an event, or the refusal). Returns the Result, or None."""
        user = self.people[who]
        page = self.fresh()
        count, version = page.history.count(), page.version
        seen_before = (page.status, page.summary, page.body)
        try:
            result = call(page, user)
        except REFUSALS as error:
            after = self.fresh()
            assert after.history.count() == count, "a refused operation wrote history"
            assert after.version == version, "a refused operation changed the version"
            assert (after.status, after.summary, after.body) == seen_before
            assert isinstance(expected, type) and isinstance(error, expected), (
                f"expected {expected!r}, got {error!r}"
            )
            return None
        after = self.fresh()
        if who != REVIEWER and seen_before[0] == Status.PUBLISHED:
            assert (after.status, after.summary, after.body) == seen_before, (
                "an editor changed what patients see"
            )
        if result.event == "unchanged":
            assert result.record is None
            assert after.history.count() == count, "an unchanged result wrote history"
            assert after.version == version, "an unchanged result changed the version"
        else:
            assert after.history.count() == count + 1, "not exactly one history record"
            latest = after.history.order_by("-history_id").first()
            assert result.record.history_id == latest.history_id
            assert latest.history_user_id == user.pk
            expected_event = Event.CONFLICT if result.event == "conflict" else result.event
            assert latest.event == expected_event
        assert not isinstance(expected, type), f"expected {expected.__name__}, got {result}"
        assert result.event == expected, f"expected {expected}, got {result.event}"
        return result

    def save_like(self, who, values, base, *, via="save", status=None, restoring=None):
        """Predict and run save (with the status field, as a reviewer's form sends it, or a
        crafted one from an editor), submit or restore of ``values`` from ``base``."""
        text = text_of(values)
        published = self.published
        reviewer = who == REVIEWER
        status_changed = status is not None and status != self.status
        new_status = status or self.status
        waiting = self.waiting
        if status_changed and not reviewer:
            expected = PermissionDenied
        elif self.conflicts(base):
            expected = "conflict"
        elif via == "submit" and published:
            proposed = waiting.text if waiting else self.live
            expected = "unchanged" if text == proposed else Event.SUBMITTED
        else:
            baseline = waiting.text if waiting else self.live
            changed = text != baseline
            publishes_waiting = waiting is not None and published and reviewer
            if not changed and not status_changed and not publishes_waiting:
                expected = "unchanged"
            elif published and not reviewer:
                expected = Event.SUBMITTED
            elif restoring is not None:
                expected = Event.RESTORED
            elif status_changed:
                expected = Event.PUBLISHED if status == Status.PUBLISHED else Event.UNPUBLISHED
            elif published:
                expected = Event.PUBLISHED
            else:
                expected = Event.SAVED

        if restoring is not None:

            def call(page, user):
                return workflow.restore(page, restoring, user, base=base)
        elif via == "submit":

            def call(page, user):
                return workflow.submit(page, values, user, base=base)
        else:

            def call(page, user):
                return workflow.save(page, values, user, base=base, status=status)

        result = self.act(who, expected, call)
        if result is not None:  # refused: nothing written, nothing to keep
            self.passed |= {("summary", text[0]), ("body", text[1])}
        if expected == "conflict":
            assert result.record.outcome == Outcome.KEPT_ASIDE and not result.record.live
            assert text_of(workflow.record_values(result.record)) == text
            self.outcomes[result.record.history_id] = Outcome.KEPT_ASIDE
        elif expected == Event.SUBMITTED:
            assert not result.record.live
            self.propose(result.record, text, who)
        elif expected not in ("unchanged", PermissionDenied):
            # A waiting change is "published" only if patients now see it as it was
            # written; a reviewer's edit of it, a restore of another version, or a save
            # as a draft replaced it (History claims nothing that did not happen).
            if waiting is not None:
                kept = new_status == Status.PUBLISHED and text == waiting.text
                self.resolve_waiting(Outcome.PUBLISHED if kept else Outcome.SUPERSEDED)
            self.go_live(text, status=new_status)
            if reviewer:
                self.approved.add(text)

    # --- rules ---------------------------------------------------------------

    @rule(target=forms, who=PEOPLE)
    def open_form(self, who):
        """A person opens the change form (and may save it many steps later)."""
        page = self.fresh()
        return Form(who, workflow.base_of(page), workflow.proposed_values(page))

    @rule(form=forms, change=CHANGES, send=SENDS)
    def save_a_form_opened_earlier(self, form, change, send):
        via, status = send
        values = self.new_text(form.shown, change)
        self.save_like(form.who, values, form.base, via=via, status=status)

    @rule(who=PEOPLE, change=CHANGES, send=SENDS)
    def open_and_save(self, who, change, send):
        via, status = send
        page = self.fresh()
        base, shown = workflow.base_of(page), workflow.proposed_values(page)
        self.save_like(who, self.new_text(shown, change), base, via=via, status=status)

    @rule(who=PEOPLE, pick=st.integers(min_value=0), stale=st.none() | forms)
    def restore_an_earlier_record(self, who, pick, stale):
        page = self.fresh()
        records = list(page.history.order_by("history_id"))
        record = records[pick % len(records)]
        base = stale.base if stale is not None else workflow.base_of(page)
        self.save_like(who, workflow.record_values(record), base, restoring=record)

    @rule(who=PEOPLE)
    def publish(self, who):
        if who != REVIEWER:
            expected = PermissionDenied
        elif self.waiting is not None:
            stale = self.text_at.get(self.waiting.base_version) != self.live
            expected = workflow.Stale if stale else Event.PUBLISHED
        else:
            expected = "unchanged" if self.published else Event.PUBLISHED
        self.act(who, expected, workflow.publish)
        if expected == Event.PUBLISHED:
            text = self.waiting.text if self.waiting else self.live
            self.resolve_waiting(Outcome.PUBLISHED)
            self.go_live(text, status=Status.PUBLISHED)
            self.approved.add(text)

    @rule(who=PEOPLE)
    def unpublish(self, who):
        if who != REVIEWER:
            expected = PermissionDenied
        else:
            expected = Event.UNPUBLISHED if self.published else "unchanged"
        self.act(who, expected, workflow.unpublish)
        if expected == Event.UNPUBLISHED:
            self.go_live(self.live, status=Status.DRAFT)

    @rule(who=PEOPLE)
    def discard(self, who):
        if self.waiting is None:
            expected = "unchanged"
        elif who != REVIEWER and who != self.waiting.author:
            expected = PermissionDenied
        else:
            expected = Event.DISCARDED
        self.act(who, expected, workflow.discard)
        if expected == Event.DISCARDED:
            self.resolve_waiting(Outcome.DISCARDED)

    @rule(who=PEOPLE, note=st.sampled_from(["", "  ", "Please use shorter sentences."]))
    def send_back(self, who, note):
        if who != REVIEWER:
            expected = PermissionDenied
        elif not note.strip():
            expected = ValidationError
        else:
            expected = Event.SENT_BACK if self.waiting is not None else "unchanged"
        waiting = self.waiting
        self.act(who, expected, lambda page, user: workflow.send_back(page, user, note))
        if expected == Event.SENT_BACK:
            self.resolve_waiting(Outcome.SENT_BACK)
            sent = self.page.history.get(history_id=waiting.id)
            assert sent.note == note.strip()

    @rule(who=PEOPLE)
    def mark_reviewed(self, who):
        expected = Event.REVIEWED if who == REVIEWER else PermissionDenied
        self.act(who, expected, workflow.mark_reviewed)
        if expected == Event.REVIEWED:
            self.go_live(self.live)

    @rule()
    def a_patient_reads_the_page(self):
        """The public page shows exactly the live text a reviewer let through, or 404."""
        response = Client().get(self.page.get_absolute_url())
        if not self.published:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        html = response.content.decode()
        summary, body = self.live
        assert set(SUMMARY_MARK.findall(html)) == set(SUMMARY_MARK.findall(summary))
        assert set(BODY_MARK.findall(html)) == set(BODY_MARK.findall(body))

    # --- invariants (after every step; one snapshot, few queries) -----------------

    @invariant()
    def promises_hold(self):
        if self.page is None:
            return
        page = self.fresh()
        history = list(
            page.history.values_list("history_id", "outcome", "summary", "body", "history_user_id")
        )
        self.page_matches_the_model(page, history)
        self.everything_anyone_wrote_is_in_history(history)
        self.patients_see_only_what_a_reviewer_let_through()

    def page_matches_the_model(self, page, history):
        assert page.status == self.status
        assert (page.summary, page.body) == self.live
        assert page.version == self.version
        waiting = [row for row in history if row[1] == Outcome.WAITING]
        assert len(waiting) <= 1, "more than one waiting change"
        if self.waiting is None:
            assert waiting == []
        else:
            assert waiting == [
                (self.waiting.id, Outcome.WAITING, *self.waiting.text,
                 self.people[self.waiting.author].pk)
            ]  # fmt: skip
        assert workflow.base_of(page) == workflow.Base(
            self.version, self.waiting.id if self.waiting else None
        )
        outcomes = {row[0]: row[1] for row in history if row[0] in self.outcomes}
        assert outcomes == self.outcomes

    def everything_anyone_wrote_is_in_history(self, history):
        kept = {("summary", row[2]) for row in history} | {("body", row[3]) for row in history}
        assert self.passed <= kept, f"lost from History: {self.passed - kept}"

    def patients_see_only_what_a_reviewer_let_through(self):
        shown = list(
            Procedure.objects.published().filter(pk=self.page.pk).values_list("summary", "body")
        )
        if self.published:
            assert len(shown) == 1 and shown[0] in self.approved, "unreviewed text is live"
        else:
            assert shown == []


@pytest.mark.django_db
def test_editorial_workflow_keeps_its_promises():
    run_state_machine_as_test(
        EditorialWorkflow,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
