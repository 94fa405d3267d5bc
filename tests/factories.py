"""Small make_* helpers for tests. Each returns a saved object with sensible defaults."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from core.pages import Status
from editorial import workflow
from faq.models import FAQ, Topic
from glossary.models import GlossaryTerm
from procedures.models import Condition, Kind, Procedure
from safety.models import SafetyBlock

_seq = itertools.count(1)

PROCEDURE_BODY = """## At a glance

- A short test injection.

## What it is

A small shot near a nerve.

## Who it may help

People with back pain.

## Benefits, risks and alternatives

It may help. It may not help.

## How to prepare

Bring a driver.

## What happens during the procedure

You lie on a table.

## After the procedure

Rest for a day.

## Results and next steps

Keep a pain diary.

## When to get help

### Call {{ emergency }} or go to the emergency department now

- New leg weakness.

### Call the clinic today

- A fever.

### Mention it at your follow-up visit

- Mild soreness.

## Questions to ask your doctor

- Will it help me?
"""


def make_procedure(**fields) -> Procedure:
    n = next(_seq)
    conditions = fields.pop("conditions", [])
    defaults = {
        "title": f"Test procedure {n}",
        "slug": f"test-procedure-{n}",
        "status": Status.PUBLISHED,
        "summary": "A short test summary.",
        "main_message": "It may help, and it may not.",
        "kind": Kind.TREATMENT,
        "used_for": "Back pain",
        "duration": "About 20 minutes",
        "sedation": "Awake",
        "driver": "Yes",
        "relief_starts": "In a few days",
        "relief_lasts": "It varies",
        "body": PROCEDURE_BODY,
    }
    defaults.update(fields)
    procedure = Procedure.objects.create(**defaults)
    if conditions:
        procedure.conditions.set(conditions)
    return procedure


def make_condition(**fields) -> Condition:
    n = next(_seq)
    defaults = {
        "title": f"Test condition {n}",
        "slug": f"test-condition-{n}",
        "status": Status.PUBLISHED,
        "summary": "A short test summary.",
        "body": "## What it is\n\nA test condition.",
    }
    defaults.update(fields)
    return Condition.objects.create(**defaults)


def make_faq(**fields) -> FAQ:
    n = next(_seq)
    procedures = fields.pop("procedures", [])
    defaults = {
        "question": f"Test question {n}?",
        "slug": f"test-question-{n}",
        "topic": Topic.ABOUT,
        "status": Status.PUBLISHED,
        "answer": "A short answer.",
    }
    defaults.update(fields)
    faq = FAQ.objects.create(**defaults)
    if procedures:
        faq.procedures.set(procedures)
    return faq


def make_term(**fields) -> GlossaryTerm:
    n = next(_seq)
    defaults = {
        "term": f"Testword{n}",
        "slug": f"testword-{n}",
        "status": Status.PUBLISHED,
        "definition": "A plain definition.",
    }
    defaults.update(fields)
    return GlossaryTerm.objects.create(**defaults)


def make_user(
    username=None, *, staff=False, superuser=False, perms=(), password="a-long-test-password"
):
    """A user; ``perms`` are 'app_label.codename' strings."""
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}",
        password=password,
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_staff_in(group_name: str, username=None):
    """A staff user in one of the role groups made by the roles migration."""
    from django.contrib.auth.models import Group

    user = make_user(username, staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def make_editor(username=None):
    return make_staff_in("Content editor", username)


def make_reviewer(username=None):
    return make_staff_in("Clinical reviewer", username)


def make_figure(key=None, *, size=(1600, 900), fmt="JPEG", mode="RGB", **fields):
    """A saved Figure made from a generated image (re-encoded, with renditions)."""
    import io

    from PIL import Image

    from figures.models import Figure

    buffer = io.BytesIO()
    Image.new(mode, size, (200, 120, 40, 128)[: len(mode)]).save(buffer, fmt)
    figure = Figure(key=key or f"figure-{next(_seq)}", alt=fields.pop("alt", "A test diagram"))
    for name, value in fields.items():
        setattr(figure, name, value)
    figure.set_image(buffer.getvalue(), f"upload.{'jpg' if fmt == 'JPEG' else fmt.lower()}")
    figure.save()
    return figure


def make_waiting_change(page, user=None, **values):
    """A change to a published ``page`` submitted for review (not live)."""
    user = user or make_editor()
    result = workflow.submit(page, {**workflow.live_values(page), **values}, user)
    return result.record


def make_block(**fields):
    """A published shared safety block (safety.SafetyBlock)."""
    n = next(_seq)
    defaults = {
        "title": f"Test rule {n}",
        "slug": f"test-rule-{n}",
        "status": Status.PUBLISHED,
        "body": f"- test rule number {n}",
        "sources": "NHS: Test page (2024) https://www.nhs.uk/conditions/",
    }
    defaults.update(fields)
    return SafetyBlock.objects.create(**defaults)
