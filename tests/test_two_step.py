"""Self-service two-step sign-in: set up with a QR code, recovery codes, administrator reset."""

import logging
import re
import time

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


class Clock:
    """Stands in for the ``time`` module django-otp's TOTP device reads."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def later(self, seconds=30):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def require_2fa():
    with override_settings(PAINSITE_REQUIRE_2FA=True):
        yield


def app_code(user, clock) -> str:
    """What the staff member's authenticator app shows now (the test computes it)."""
    device = TOTPDevice.objects.filter(user=user).order_by("pk").last()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now
    return str(totp.token()).zfill(device.digits)


def sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        follow=True,
    )


def codes_in(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)


def set_up(client, user, clock) -> list[str]:
    """Sign in with the password, scan (compute) and confirm: the recovery codes shown."""
    page = sign_in(client, user.username)
    assert page.request["PATH_INFO"] == reverse("admin:two_step_set_up")
    response = client.post(
        reverse("admin:two_step_set_up"),
        {"token": app_code(user, clock), "next": reverse("admin:index")},
    )
    assert response.status_code == 200
    return codes_in(response.content.decode())


def test_a_new_staff_member_sets_up_and_signs_in_again_with_no_command(client, clock, caplog):
    user = make_user("newstaff", staff=True)
    caplog.set_level(logging.INFO, logger="accounts.two_step")

    # First sign-in: the password leads straight to the set-up page, not into the admin.
    page = sign_in(client, "newstaff")
    assert page.request["PATH_INFO"] == reverse("admin:two_step_set_up")
    html = page.content.decode()
    assert "<svg" in html and "<img" not in html.split('id="content-main"')[1]  # inline QR
    assert "style=" not in html.split('class="two-step-qr"')[1].split("</div>")[0]
    assert client.get(reverse("admin:index")).status_code == 302
    key = TOTPDevice.objects.get(user=user, confirmed=False).key
    assert client.get(reverse("admin:two_step_set_up")).status_code == 200
    assert TOTPDevice.objects.get(user=user).key == key  # a reload shows the same QR code

    # The code the app shows confirms it; ten recovery codes are shown, once.
    response = client.post(
        reverse("admin:two_step_set_up"),
        {"token": app_code(user, clock), "next": reverse("admin:index")},
    )
    assert response.status_code == 200
    codes = codes_in(response.content.decode())
    assert len(codes) == 10
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    assert client.get(reverse("admin:index")).status_code == 200  # in, this session
    overview = client.get(reverse("admin:two_step")).content.decode()
    assert "<strong>10</strong> of 10" in overview
    assert not any(code in overview for code in codes)  # never shown again

    # Sign out, sign back in: password, then a code from the app.
    client.post(reverse("admin:logout"))
    page = sign_in(client, "newstaff")
    assert page.request["PATH_INFO"] == reverse("admin:verify")
    clock.later()
    response = client.post(reverse("admin:verify"), {"token": app_code(user, clock)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    # Logged without codes or keys.
    log = caplog.text
    assert "set up an authenticator app" in log and "10 new recovery codes" in log
    assert not any(code in log for code in codes) and key not in log


def test_a_wrong_code_is_refused_while_setting_up(client, clock):
    user = make_user("newstaff", staff=True)
    sign_in(client, "newstaff")
    right = app_code(user, clock)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(reverse("admin:two_step_set_up"), {"token": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert client.get(reverse("admin:index")).status_code == 302
    # django-otp makes the next try wait a moment after a failure; skip the wait.
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    response = client.post(reverse("admin:two_step_set_up"), {"token": right})
    assert len(codes_in(response.content.decode())) == 10


def test_someone_with_a_device_must_pass_the_second_step_before_setting_up_again(client, clock):
    user = make_user("editor", staff=True)
    set_up(client, user, clock)
    client.post(reverse("admin:logout"))
    sign_in(client, "editor")
    response = client.get(reverse("admin:two_step_set_up"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1  # no second key was made


def test_a_recovery_code_signs_in_once_and_new_codes_replace_the_old(client, clock, caplog):
    user = make_user("editor", staff=True)
    codes = set_up(client, user, clock)
    client.post(reverse("admin:logout"))
    caplog.set_level(logging.INFO, logger="accounts.two_step")

    sign_in(client, "editor")
    assert client.post(reverse("admin:verify"), {"token": codes[0]}).status_code == 302
    assert "<strong>9</strong> of 10" in client.get(reverse("admin:two_step")).content.decode()
    assert "recovery code; 9 left" in caplog.text and codes[0] not in caplog.text

    response = client.post(reverse("admin:two_step"), {"action": "new_codes"})
    new = codes_in(response.content.decode())
    assert len(new) == 10 and not set(new) & set(codes)
    client.post(reverse("admin:logout"))
    sign_in(client, "editor")
    assert client.post(reverse("admin:verify"), {"token": codes[1]}).status_code == 200
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    assert client.post(reverse("admin:verify"), {"token": new[0]}).status_code == 302


def test_the_administrator_resets_a_staff_member_from_the_user_page(client, clock, caplog):
    staff = make_user("editor", staff=True)
    set_up(client, staff, clock)
    client.post(reverse("admin:logout"))

    admin = make_user("boss", superuser=True)
    client.force_login(admin)
    call_command("enrol_2fa", "boss", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.post(reverse("admin:verify"), {"token": StaticToken.objects.filter(
        device__user=admin).first().token})  # fmt: skip
    change = reverse("admin:auth_user_change", args=[staff.pk])
    page = client.get(change).content.decode()
    reset_url = reverse("admin:auth_user_reset_two_step", args=[staff.pk])
    assert reset_url in page
    assert 'name="last_login"' not in page and 'name="date_joined_0"' not in page
    assert "Reset two-step sign-in?" in client.get(reset_url).content.decode()

    caplog.set_level(logging.INFO, logger="accounts.two_step")
    response = client.post(reset_url)
    assert response.status_code == 302 and response["Location"] == change
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert f"reset for user {staff.pk} (editor) by user {admin.pk} (boss)" in caplog.text

    # The staff member is asked to set up again at the next sign-in.
    client.post(reverse("admin:logout"))
    page = sign_in(client, "editor")
    assert page.request["PATH_INFO"] == reverse("admin:two_step_set_up")


def test_the_reset_action_on_the_user_list(client, clock):
    staff = make_user("editor", staff=True)
    set_up(client, staff, clock)
    client.post(reverse("admin:logout"))
    with override_settings(PAINSITE_REQUIRE_2FA=False):
        client.force_login(make_user("boss", superuser=True))
        changelist = reverse("admin:auth_user_changelist")
        assert "Set up" in client.get(changelist).content.decode()
        client.post(
            changelist, {"action": "reset_two_step", "_selected_action": [staff.pk]}, follow=True
        )
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_only_the_administrator_may_reset(client, clock):
    staff = make_user("editor", staff=True)
    set_up(client, staff, clock)
    with override_settings(PAINSITE_REQUIRE_2FA=False):
        manager = make_user("manager", staff=True, perms=["auth.view_user", "auth.change_user"])
        client.force_login(manager)
        reset_url = reverse("admin:auth_user_reset_two_step", args=[staff.pk])
        page = client.get(reverse("admin:auth_user_change", args=[staff.pk])).content.decode()
        assert reset_url not in page
        assert client.post(reset_url).status_code == 403
        changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
        assert "reset_two_step" not in changelist
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_lockout_still_applies_before_the_second_step(client, clock):
    make_user("editor", staff=True)
    for _ in range(5):
        sign_in(client, "editor", "wrong-password")
    locked = sign_in(client, "editor")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:two_step_set_up")).status_code == 302  # to sign-in


def test_the_emergency_command_still_works(clock):
    user = make_user("editor", staff=True)
    call_command("enrol_2fa", "editor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert StaticToken.objects.filter(device__user=user).count() == 10
