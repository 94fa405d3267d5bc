from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from search.evaluation import EvalFileError, evaluate, read_cases


class Command(BaseCommand):
    help = (
        "Measure search quality: reads 'query<TAB>path|path' lines and prints hit@1, hit@3 "
        "and mean reciprocal rank (MRR) over the published pages in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="e.g. ../shared/search-queries.tsv")
        parser.add_argument(
            "--quiet", action="store_true", help="Only the three figures, no list of misses."
        )

    def handle(self, *args, file, quiet=False, **options):
        try:
            cases = read_cases(file)
        except EvalFileError as exc:
            raise CommandError(str(exc)) from exc
        if not cases:
            raise CommandError(f"{file}: no queries in the file")
        report = evaluate(cases)
        if not quiet:
            for outcome in report.outcomes:
                if outcome.rank is None or outcome.rank > 3:
                    where = f"rank {outcome.rank}" if outcome.rank else "not in the first 10"
                    self.stdout.write(
                        f"miss (line {outcome.case.line}): {outcome.case.query!r} → {where}; "
                        f"top 3: {', '.join(outcome.urls[:3]) or 'nothing'}"
                    )
        self.stdout.write(f"queries: {len(report.outcomes)}")
        self.stdout.write(f"hit@1: {report.hit_at_1:.1%}")
        self.stdout.write(f"hit@3: {report.hit_at_3:.1%}")
        self.stdout.write(f"MRR: {report.mrr:.3f}")
