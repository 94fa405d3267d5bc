"""Email clinical reviewers the pages due for review; run it daily (cron or a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError

from editorial.reminders import SOON_DAYS, send_review_reminders


class Command(BaseCommand):
    help = (
        "Email each clinical reviewer (and superuser) with an email address the published "
        f"pages whose medical review is overdue or due within {SOON_DAYS} days. Sends each "
        "person at most one email a day, so running it twice is safe."
    )

    def handle(self, **options):
        outcome = send_review_reminders()
        if not outcome.pages:
            self.stdout.write("No page is due for review: no email sent.")
            return
        self.stdout.write(
            f"{outcome.pages} page(s) due for review. Emails sent: {outcome.sent}; "
            f"already sent today: {outcome.already}."
        )
        if outcome.failed:
            raise CommandError(
                f"{outcome.failed} email(s) could not be sent (see the log); the next run "
                "tries them again."
            )
