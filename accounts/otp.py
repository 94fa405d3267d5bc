"""Staff two-step sign-in on django-otp: checking codes, setting up, recovery codes, reset.

Every step that changes what a staff member can sign in with is written to the
``accounts.two_step`` log (who, what, how many codes are left); codes, keys and
set-up links never are.
"""

from __future__ import annotations

import logging
from base64 import b32encode

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10

log = logging.getLogger("accounts.two_step")


def _who(user) -> str:
    return f"user {user.pk} ({user.get_username()})"


def has_device(user) -> bool:
    return (
        TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        or StaticDevice.objects.devices_for_user(user, confirmed=True)
        .filter(token_set__isnull=False)
        .exists()
    )


def has_app(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def match_token(user, token: str):
    """The device that accepts ``token``, or None.

    Six digits are a code from the authenticator app; anything else is tried as a
    recovery code (each works once: django-otp deletes it when used). Choosing by
    shape means a mistyped app code never counts as a failed recovery-code attempt.
    Both device types throttle repeated failures themselves.
    """
    token = "".join(token.split()).lower()
    if not token:
        return None
    if token.isdigit() and len(token) == 6:
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        devices = StaticDevice.objects.devices_for_user(user, confirmed=True)
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            if isinstance(device, StaticDevice):
                log.warning(
                    "Two-step sign-in: %s signed in with a recovery code; %d left.",
                    _who(user),
                    device.token_set.count(),
                )
            return device
    return None


# --- setting up an authenticator app ----------------------------------------------------------


def pending_app(user) -> TOTPDevice:
    """The app being set up: the same key until it is confirmed, so a reload shows the same QR."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").last()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> SafeString:
    """The set-up link as an inline SVG QR code (no image request, no inline style)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup, built from our URL


def spaced_key(device: TOTPDevice) -> str:
    """The secret key as an app asks for it when typed: base32 in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm_app(user, device: TOTPDevice, token: str) -> bool:
    """Confirm the app being set up with a code it shows; it replaces any older app."""
    token = "".join(token.split())
    if not (token.isdigit() and len(token) == 6):
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed or not device.verify_token(token):
        log.info("Two-step sign-in: %s typed a wrong code while setting up an app.", _who(user))
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.name = TOTP_DEVICE_NAME
        device.save(update_fields=["confirmed", "name"])
    log.info("Two-step sign-in: %s set up an authenticator app.", _who(user))
    return True


# --- recovery codes and reset -----------------------------------------------------------------


def new_recovery_codes(user, *, by=None) -> list[str]:
    """Ten new single-use recovery codes for ``user``; the old ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    by_whom = "" if by is None or by == user else f" by {_who(by)}"
    log.info(
        "Two-step sign-in: %d new recovery codes made for %s%s; the old ones stop working.",
        len(codes),
        _who(user),
        by_whom,
    )
    return codes


def reset(user, *, by) -> None:
    """Remove every device of ``user``: at the next sign-in they set up two-step again."""
    with transaction.atomic():
        apps, _ = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    log.warning(
        "Two-step sign-in: reset for %s by %s (%s); they set it up again at the next sign-in.",
        _who(user),
        _who(by),
        "authenticator app removed" if apps else "no authenticator app was set up",
    )
