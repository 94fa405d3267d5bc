from django.core.management.base import BaseCommand

from editorial import bench


class Command(BaseCommand):
    help = (
        "Benchmark the public pages (requests/s next to a same-size static file, p50/p99, "
        "queries, bytes) and the ×100 figures, in throwaway databases. See editorial/bench.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=2.0, help="Per page, per round.")
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
        parser.add_argument("--threads", type=int, default=8, help="Threads per worker.")
        parser.add_argument("--times", type=int, default=100, help="Content multiplied (1: skip).")

    def handle(self, *args, seconds, rounds, workers, threads, times, **options):
        bench.run(
            seconds=seconds,
            rounds=rounds,
            workers=workers,
            threads=threads,
            times=times,
            write=self.stdout.write,
        )
