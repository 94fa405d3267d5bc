"""Each model's admin change list, search and forms work for staff; edits show on the site."""

import pytest
from django.urls import reverse

from faq.models import FAQ
from glossary.models import GlossaryTerm
from procedures.models import Area, Condition, Procedure
from tests.admin_forms import change_url, form_data
from tests.factories import make_condition, make_faq, make_procedure, make_term, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(superuser=True))
    return client


@pytest.fixture
def objects():
    return {
        Procedure: make_procedure(),
        Condition: make_condition(),
        FAQ: make_faq(),
        GlossaryTerm: make_term(),
        Area: Area.objects.first(),
    }


@pytest.mark.parametrize("model", [Procedure, Condition, FAQ, GlossaryTerm, Area])
def test_changelist_search_and_forms(admin_client, objects, model):
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert admin_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"{base}_changelist"), {"q": "test"}).status_code == 200
    assert admin_client.get(reverse(f"{base}_add")).status_code == 200
    obj = objects[model]
    response = admin_client.get(reverse(f"{base}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_changelist_filters(admin_client, objects):
    url = reverse("admin:procedures_procedure_changelist")
    assert admin_client.get(url, {"status__exact": "draft"}).status_code == 200
    assert admin_client.get(url, {"kind__exact": "device"}).status_code == 200


def test_staff_edit_shows_on_the_page(client, site_content):
    client.force_login(make_user(superuser=True))
    procedure = Procedure.objects.get(slug="epidural-steroid-injection")
    url = change_url(procedure)
    data = form_data(client.get(url), main_message="Changed by a staff member in the admin.")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert "Changed by a staff member in the admin." in page


def test_non_staff_cannot_use_admin(client, db):
    client.force_login(make_user())
    response = client.get(reverse("admin:procedures_procedure_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]
