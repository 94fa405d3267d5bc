from django.core.management.base import BaseCommand

from search import index


class Command(BaseCommand):
    help = "Rebuild the search index from every published page (safe to run at any time)."

    def handle(self, *args, **options):
        count = index.rebuild()
        self.stdout.write(f"Indexed {count} published pages.")
