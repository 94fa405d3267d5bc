"""The admin: lockout after repeated failures, two-step sign-in, session length, a movable URL."""

import datetime
import importlib
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from painsite.security import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


# --- lockout (django-axes) ------------------------------------------------------------------


def test_four_failures_do_not_lock_the_account(client):
    make_user("editor", staff=True, password=PASSWORD)
    for _ in range(4):
        assert sign_in(client, "editor", "wrong-password").status_code == 200
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_five_failures_lock_out_that_username_from_that_address(client):
    make_user("editor", staff=True, password=PASSWORD)
    make_user("other", staff=True, password=PASSWORD)
    for _ in range(5):
        sign_in(client, "editor", "wrong-password")
    locked = sign_in(client, "editor", PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another address, and another account from this one, still work.
    assert sign_in(client, "editor", PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert sign_in(client, "other", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client):
    make_user("editor", staff=True, password=PASSWORD)
    for _ in range(5):
        sign_in(client, "editor", "wrong-password")
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    assert sign_in(client, "editor", PASSWORD).status_code == 302


CLIENT_ADDRESSES = {
    # (direct peer, X-Forwarded-For, trusted proxies) -> the visitor's address
    "behind our proxy: what it saw, not what was claimed": (
        "127.0.0.1", "1.2.3.4, 203.0.113.7", ["127.0.0.1", "::1"], "203.0.113.7"
    ),
    "straight to gunicorn: the header is ignored": (
        "203.0.113.9", "1.2.3.4", ["127.0.0.1", "::1"], "203.0.113.9"
    ),
    "no trusted proxies: the header is ignored": ("127.0.0.1", "1.2.3.4", [], "127.0.0.1"),
    "two of our proxies, by network": (
        "10.0.0.5", "1.2.3.4, 198.51.100.2, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.2"
    ),
    "IPv6 proxy": ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    "IPv4-mapped peer": ("::ffff:127.0.0.1", "203.0.113.7", ["127.0.0.1"], "203.0.113.7"),
    "garbage from the visitor stops the walk": (
        "127.0.0.1", "not-an-ip, 10.0.0.9", ["127.0.0.1", "10.0.0.0/8"], "10.0.0.9"
    ),
    "no header from our proxy": ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
}  # fmt: skip


@pytest.mark.parametrize("case", CLIENT_ADDRESSES)
def test_client_address_is_believed_only_from_a_trusted_proxy(case):
    peer, forwarded, proxies, expected = CLIENT_ADDRESSES[case]
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_ip(request) == expected


def test_a_wrong_trusted_proxy_setting_is_a_clear_error():
    from django.core.exceptions import ImproperlyConfigured

    request = RequestFactory().get("/")
    with override_settings(TRUSTED_PROXIES=["proxy.internal"]):
        with pytest.raises(ImproperlyConfigured, match="'proxy.internal' is not an IP address"):
            client_ip(request)


def test_a_forged_forwarded_for_does_not_dodge_the_lockout(client):
    from tests.security import production_security_settings

    # With production's settings, a visitor who reaches gunicorn directly (not through
    # the proxy on 127.0.0.1) claims a new address on every try.
    make_user("editor", staff=True, password=PASSWORD)

    def attempt(password, n):
        return client.post(
            reverse("admin:login"),
            {"username": "editor", "password": password},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            secure=True,
        )

    with override_settings(**production_security_settings(), PAINSITE_REQUIRE_2FA=False):
        for n in range(5):
            attempt("wrong-password", n)
        assert attempt(PASSWORD, 99).status_code == 429


# --- two-step sign-in (django-otp) ----------------------------------------------------------


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    from io import StringIO

    out = StringIO()
    call_command("enrol_2fa", user.username, stdout=out)
    text = out.getvalue()
    assert "otpauth://totp/" in text
    codes = re.findall(r"^  ([a-z2-7]{8})$", text, re.MULTILINE)
    assert len(codes) == 10
    return TOTPDevice.objects.get(user=user), codes


def current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def require_2fa():
    with override_settings(PAINSITE_REQUIRE_2FA=True):
        yield


def test_without_the_setting_a_password_is_enough(client):
    client.force_login(make_user(staff=True))
    assert client.get(reverse("admin:index")).status_code == 200


def test_password_alone_does_not_open_the_admin(client, require_2fa):
    user = make_user("editor", staff=True, password=PASSWORD)
    enrol(user)
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302  # password accepted ...
    response = client.get(reverse("admin:index"), follow=True)
    assert response.request["PATH_INFO"] == reverse("admin:verify")  # ... but a code is needed
    assert "Two-step sign-in" in response.content.decode()
    for url in (reverse("admin:index"), reverse("admin:procedures_procedure_changelist")):
        assert client.get(url).status_code == 302


def test_a_code_from_the_app_opens_the_admin(client, require_2fa):
    user = make_user(staff=True, superuser=True)
    device, _ = enrol(user)
    client.force_login(user)
    target = reverse("admin:procedures_procedure_changelist")
    wrong = client.post(reverse("admin:verify"), {"token": "000000", "next": target})
    if current_code(device) != "000000":
        assert wrong.status_code == 200 and "did not work" in wrong.content.decode()
        assert client.get(target).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(reverse("admin:verify"), {"token": current_code(device), "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_recovery_code_works_once(client, require_2fa):
    user = make_user(staff=True)
    _, codes = enrol(user)
    client.force_login(user)
    response = client.post(reverse("admin:verify"), {"token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    client.force_login(user)
    again = client.post(reverse("admin:verify"), {"token": codes[0]})
    assert again.status_code == 200 and "did not work" in again.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    # A failure makes django-otp wait a moment before the next try; skip the wait.
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    assert client.post(reverse("admin:verify"), {"token": codes[1]}).status_code == 302


def test_staff_without_a_device_are_sent_to_set_one_up(client, require_2fa):
    client.force_login(make_user("newstaff", staff=True))
    response = client.get(reverse("admin:verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_step_set_up"))
    assert client.post(reverse("admin:verify"), {"token": "123456"}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_unverified_user_can_sign_out(client, require_2fa):
    user = make_user(staff=True)
    enrol(user)
    client.force_login(user)
    assert reverse("admin:verify_sign_out") in client.get(reverse("admin:verify")).content.decode()
    assert client.get(reverse("admin:verify_sign_out")).status_code == 405
    response = client.post(reverse("admin:verify_sign_out"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session


def test_the_next_address_must_stay_on_this_site(client, require_2fa):
    user = make_user(staff=True)
    _, codes = enrol(user)
    client.force_login(user)
    response = client.post(
        reverse("admin:verify"), {"token": codes[0], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_enrolling_twice_needs_reset():
    user = make_user(staff=True)
    enrol(user)
    with pytest.raises(Exception, match="--reset"):
        call_command("enrol_2fa", user.username)


# --- passwords, sessions, the admin's address -----------------------------------------------


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("Xq7!kP2@wZ9")  # 11
    validate_password("Xq7!kP2@wZ9#")  # 12


def test_staff_sessions_last_eight_hours(client, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    make_user("editor", staff=True, password=PASSWORD)
    sign_in(client, "editor", PASSWORD)
    assert 8 * 3600 - 5 <= client.session.get_expiry_age() <= 8 * 3600


@pytest.fixture
def moved_admin():
    import painsite.urls

    with override_settings(ADMIN_URL="staff-area-7f3k/"):
        importlib.reload(painsite.urls)
        clear_url_caches()
        yield
    importlib.reload(painsite.urls)
    clear_url_caches()


def test_the_admin_url_is_a_setting(client, moved_admin):
    assert reverse("admin:index") == "/staff-area-7f3k/"
    assert client.get("/admin/").status_code == 404
    assert client.get("/staff-area-7f3k/").status_code == 302  # to its login page
    robots = client.get(reverse("robots_txt")).content.decode()
    assert "staff-area" not in robots  # robots.txt is public: it must not give the path away
    assert client.get("/staff-area-7f3k/")["X-Robots-Tag"] == "noindex, nofollow"


def test_draft_previews_also_need_the_second_step(client, require_2fa):
    from core.pages import Status
    from tests.factories import make_procedure

    draft = make_procedure(status=Status.DRAFT)
    user = make_user(staff=True, perms=["procedures.change_procedure"])
    _, codes = enrol(user)
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.post(reverse("admin:verify"), {"token": codes[0]})
    assert client.get(draft.get_absolute_url()).status_code == 200
