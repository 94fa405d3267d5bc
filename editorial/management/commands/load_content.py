from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editorial import loader


class Command(BaseCommand):
    help = (
        "Validate every content file under PATH (default: content/), then load them all in one "
        "transaction, upserting by slug. Pages changed in the admin since the last load are "
        "skipped unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.CONTENT_DIR))
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite pages that staff changed in the admin since the last load.",
        )

    def handle(self, *args, path, dry_run, force, **options):
        try:
            report = loader.load(path, dry_run=dry_run, force=force)
        except loader.ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) found; nothing was written."
            ) from None
        for kind, counts in report.counts.items():
            line = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
            self.stdout.write(f"  {kind}: {line}")
        for note in report.skipped:
            self.stderr.write(self.style.WARNING(f"Skipped {note}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
