"""Readability of content files while writing: ``manage.py readability FILE.md ...``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.pages import readability_exclusions
from core.readability import long_sentences, score_markdown
from editorial import loader


class Command(BaseCommand):
    help = "Score content files (grade per section, long sentences) before loading them."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")

    def handle(self, *args, files, **options):
        kinds = {kind.folder: kind for kind in loader.kinds().values()}
        exclusions = readability_exclusions()
        failed = False
        for name in files:
            path = Path(name)
            kind = kinds.get(path.parent.name)
            if kind is None:
                raise CommandError(f"{name}: not in a content folder ({', '.join(kinds)})")
            record, problems = loader.parse_file(kind, path, name)
            if record is None:
                raise CommandError("\n".join(str(p) for p in problems))
            page = score_markdown(record.body, exclusions)
            self.stdout.write(f"{name}: median grade {page.median}")
            for s in page.sections:
                flag = "  TOO HARD" if s.too_hard else ""
                self.stdout.write(
                    f"  {s.grade:5.1f}  smog {s.smog:4.1f}  {s.words:4d} words  {s.heading}{flag}"
                )
            for problem in page.problems():
                self.stdout.write(f"  PROBLEM: {problem}")
                failed = True
            for sentence in long_sentences(record.body):
                self.stdout.write(f"  LONG SENTENCE ({len(sentence.split())} words): {sentence}")
                failed = True
        if failed:
            raise CommandError("Some text is too hard to read; see above.")
