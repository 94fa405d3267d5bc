from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editorial import loader


class Command(BaseCommand):
    help = (
        "Write every page in the database (drafts too), every image and the synonyms as "
        "content files under PATH."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.CONTENT_DIR))

    def handle(self, *args, path, **options):
        try:
            written = loader.export(path)
        except loader.ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) found; nothing was written."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files under {path}."))
