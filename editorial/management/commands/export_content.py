from django.conf import settings
from django.core.management.base import BaseCommand

from editorial import loader


class Command(BaseCommand):
    help = "Write every page in the database (drafts too) as content files under PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.CONTENT_DIR))

    def handle(self, *args, path, **options):
        written = loader.export(path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files under {path}."))
