"""Checking a staff member's second-step code against their django-otp devices."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def has_device(user) -> bool:
    return (
        TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        or StaticDevice.objects.devices_for_user(user, confirmed=True)
        .filter(token_set__isnull=False)
        .exists()
    )


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
            return device
    return None
