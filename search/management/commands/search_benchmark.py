from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from search.engines import get_engine
from search.evaluation import EvalFileError, benchmark, read_cases
from search.models import Document

DEFAULT_FILE = Path(settings.BASE_DIR).parent / "shared" / "search-queries.tsv"


class Command(BaseCommand):
    help = "Print p50/p95 search time (ms) over a query file on the current database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", default=DEFAULT_FILE)
        parser.add_argument("--rounds", type=int, default=20)

    def handle(self, *args, file, rounds, **options):
        try:
            cases = read_cases(file)
        except EvalFileError as exc:
            raise CommandError(str(exc)) from exc
        if not Document.objects.exists():
            raise CommandError("The search index is empty: run load_content first.")
        extra = [
            "pinched nerve in my neck", "siatica", "epideral", "radiofrequancy",
            "shot for leg pain", "nerve burning", "spinal stimulator", "what is fluoroscopy",
            "can I drive home", "blood thinner",
        ]  # fmt: skip
        queries = [c.query for c in cases] + extra
        figures = benchmark(queries, rounds=max(rounds, 1))
        self.stdout.write(
            f"engine: {get_engine().name} ({connection.vendor}); "
            f"{Document.objects.count()} pages indexed; {len(queries)} queries x {rounds} rounds"
        )
        self.stdout.write(
            f"p50: {figures['p50']:.2f} ms  p95: {figures['p95']:.2f} ms  "
            f"max: {figures['max']:.2f} ms  ({figures['searches']} searches, wall clock)"
        )
        self.stdout.write(
            f"CPU time of this process: p50: {figures['cpu_p50']:.2f} ms  "
            f"p95: {figures['cpu_p95']:.2f} ms"
        )
