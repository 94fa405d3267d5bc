"""Set up two-step sign-in for a staff member: an authenticator app and ten recovery codes."""

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import RECOVERY_CODE_COUNT, RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME


class Command(BaseCommand):
    help = (
        "Enrol USERNAME in two-step sign-in: prints the authenticator-app set-up link and key, "
        "and ten single-use recovery codes. Run it with the staff member beside you."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="replace an existing authenticator app (the old one stops working)",
        )
        parser.add_argument(
            "--recovery-codes-only",
            action="store_true",
            help="only make ten new recovery codes (the old ones stop working)",
        )

    def handle(self, username, reset, recovery_codes_only, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user called '{username}'.") from None
        if not user.is_staff:
            self.stderr.write(f"Note: '{username}' is not staff, so cannot use the admin anyway.")
        with transaction.atomic():
            if not recovery_codes_only:
                existing = TOTPDevice.objects.filter(user=user)
                if existing.exists() and not reset:
                    raise CommandError(
                        f"'{username}' already has an authenticator app. Use --reset to replace "
                        "it, or --recovery-codes-only for new recovery codes."
                    )
                existing.delete()
                device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
            static, _ = StaticDevice.objects.get_or_create(
                user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
            )
            static.token_set.all().delete()
            codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
            StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)

        if not recovery_codes_only:
            key = b32encode(device.bin_key).decode()
            self.stdout.write("Authenticator app (any TOTP app: add an account, then either):")
            self.stdout.write(f"  open or scan this link: {device.config_url}")
            spaced = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
            self.stdout.write(f"  or type this key (time-based, 6 digits): {spaced}")
        self.stdout.write(
            f"Recovery codes for '{username}' (each works once; keep them somewhere safe, "
            "away from the phone):"
        )
        for code in codes:
            self.stdout.write(f"  {code}")
