"""The admin speaks the clinic's language: its name, task sections, one message per save."""

import re

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from clinic.models import CACHE_KEY, example_details
from painsite.admin_site import SECTIONS, SUPERUSER_ONLY
from procedures.models import Area
from tests.admin_forms import change_url, form_data
from tests.factories import (
    make_block,
    make_condition,
    make_editor,
    make_faq,
    make_procedure,
    make_reviewer,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def sections(html: str) -> list[str]:
    return re.findall(r'class="section"[^>]*>([^<]+)</a>', html)


@pytest.fixture
def superuser(client):
    user = make_user("boss", superuser=True)
    client.force_login(user)
    return user


def test_the_title_is_the_clinics_name(client, superuser):
    cache.set(CACHE_KEY, {**example_details(), "name": "Riverside Pain Clinic"})
    html = client.get(reverse("admin:index")).content.decode()
    assert "Django" not in html
    assert '<div id="site-name"><a href="/admin/">Riverside Pain Clinic</a></div>' in html
    assert "<title>Clinic website | Riverside Pain Clinic</title>" in html
    client.logout()
    login = client.get(reverse("admin:login")).content.decode()
    assert "Riverside Pain Clinic" in login and "Django" not in login


def test_the_administrator_sees_every_section_in_task_order(client, superuser):
    html = client.get(reverse("admin:index")).content.decode()
    assert sections(html) == ["Pages", "Library", "Clinic", "Staff", "Security"]
    pages = html.split('class="section"')[1].split("</table>")[0]
    for name in ("Procedures", "Conditions", "FAQs", "Glossary terms", "Shared safety blocks",
                 "Care pathways"):  # fmt: skip
        assert f">{name}</a>" in pages
    assert ">Authenticator apps</a>" in html
    assert client.get(reverse("admin:section", args=["security"])).status_code == 200


@pytest.mark.parametrize("make", [make_editor, make_reviewer])
def test_staff_never_see_internal_tables(client, make):
    client.force_login(make())
    html = client.get(reverse("admin:index")).content.decode()
    assert "Security" not in sections(html) and "Staff" not in sections(html)
    assert sections(html)[0] == "Pages"
    for internal in ("axes", "otp_", "Otp_", "Access attempts", "TOTP", "historical"):
        assert internal not in html
    assert client.get(reverse("admin:section", args=["security"])).status_code == 404
    assert client.get(reverse("admin:section", args=["pages"])).status_code == 200


def test_a_section_page_lists_its_models(client, superuser):
    html = client.get(reverse("admin:section", args=["library"])).content.decode()
    assert ">Images</a>" in html and ">Search synonyms</a>" in html
    assert ">Procedures</a>" not in html.split('id="content-main"')[1]
    assert "Waiting for review" not in html  # the reviewer's desk stays on the home page
    assert client.get(reverse("admin:section", args=["nothing"])).status_code == 404


def messages_after_save(client, url, **changes) -> list[str]:
    response = client.post(url, form_data(client.get(url), **changes), follow=True)
    assert response.status_code == 200
    return re.findall(r'<li class="(?:success|info|warning|error)">', response.content.decode())


@pytest.mark.parametrize(
    "make, changes",
    [
        (make_procedure, {"summary": "A changed summary."}),
        (make_condition, {"summary": "A changed summary."}),
        (make_faq, {"answer": "A changed answer."}),
        (make_term, {"definition": "A changed definition."}),
        (make_block, {}),
        (lambda: Area.objects.first(), {"description": "A changed description."}),
        (lambda: Group.objects.get(name="Content editor"), {}),
    ],
)
@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_one_message_per_save(client, make, changes, who):
    user = make_user(superuser=True) if who == "superuser" else make_editor()
    client.force_login(user)
    obj = make()
    url = change_url(obj)
    if client.get(url).status_code != 200 or "adminform" not in client.get(url).context:
        pytest.skip("not editable by this role")
    if "_save" not in client.get(url).content.decode() and who == "editor":
        pytest.skip("read-only for this role")
    assert len(messages_after_save(client, url, **changes)) == 1
    assert len(messages_after_save(client, url, _continue="1", **changes)) == 1


def test_one_message_when_the_clinic_details_are_saved(client, superuser):
    url = reverse("admin:clinic_clinicdetails_add")
    assert len(messages_after_save(client, url, name="Riverside Pain Clinic")) == 1
    url = reverse("admin:clinic_clinicdetails_change", args=[1])
    assert len(messages_after_save(client, url, hours="Monday to Friday, 9 am to 5 pm")) == 1


def test_the_user_form_has_no_time_boxes_and_no_inline_style(client, superuser):
    html = client.get(change_url(superuser)).content.decode()
    assert "vTimeField" not in html and "vDateField" not in html  # no server-time note
    assert "Last login" in html and "Date joined" in html  # still shown, read-only
    assert "style=" not in html and "<style" not in html


@pytest.mark.parametrize("make", [make_procedure, make_faq, make_term, make_block])
def test_change_forms_carry_no_inline_style(client, superuser, make):
    html = client.get(change_url(make())).content.decode()
    assert "style=" not in html and "<style" not in html


def test_every_model_staff_edit_has_a_place_outside_security():
    """A new app's admin must be placed in a section, or only superusers would see it."""
    placed = {
        (app, name.lower())
        for key, _heading, members in SECTIONS
        if key not in SUPERUSER_ONLY
        for app, name, _label in members
    }
    internal = {"axes", "otp_totp", "otp_static"}
    missing = [
        f"{m._meta.app_label}.{m.__name__}"
        for m in django_admin.site._registry
        if m._meta.app_label not in internal
        and (m._meta.app_label, m.__name__.lower()) not in placed
        and not m._meta.model_name.startswith("historical")
    ]
    assert missing == []
