"""Search quality on a file of patient queries, and search speed.

The file: one query per line as ``query<TAB>path|path|…``; a path ending in
``*`` matches any result path with that prefix; ``#`` lines and blank lines
are ignored (the format of ``../shared/search-queries.tsv``).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import service


class EvalFileError(Exception):
    pass


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]
    line: int

    def accepts(self, url: str) -> bool:
        for path in self.expected:
            if path.endswith("*"):
                if url.startswith(path[:-1]):
                    return True
            elif url == path:
                return True
        return False


@dataclass
class Outcome:
    case: Case
    urls: list[str]
    rank: int | None  # 1-based position of the first acceptable result


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, k: int) -> float:
        if not self.outcomes:
            return 0.0
        return sum(1 for o in self.outcomes if o.rank and o.rank <= k) / len(self.outcomes)

    @property
    def hit_at_1(self) -> float:
        return self._share(1)

    @property
    def hit_at_3(self) -> float:
        return self._share(3)

    @property
    def mrr(self) -> float:
        if not self.outcomes:
            return 0.0
        return sum(1 / o.rank for o in self.outcomes if o.rank) / len(self.outcomes)


def read_cases(path: Path) -> list[Case]:
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read the file ({exc})") from exc
    cases = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        query, tab, paths = line.partition("\t")
        expected = tuple(p.strip() for p in paths.split("|") if p.strip())
        if not tab or not query.strip() or not expected:
            raise EvalFileError(
                f"{path}:{number}: expected 'query<TAB>path|path', "
                "e.g. 'sciatica<TAB>/conditions/sciatica/'"
            )
        cases.append(Case(query=query.strip(), expected=expected, line=number))
    return cases


def evaluate(cases: list[Case], depth: int = 10) -> Report:
    report = Report()
    for case in cases:
        urls = [r.url for r in service.search(case.query, limit=depth).results]
        rank = next((i for i, url in enumerate(urls, start=1) if case.accepts(url)), None)
        report.outcomes.append(Outcome(case=case, urls=urls, rank=rank))
    return report


def benchmark(queries: list[str], rounds: int = 20, warmup: int = 2) -> dict[str, float]:
    """Wall-clock milliseconds per search (the whole service, database included)."""
    for _ in range(warmup):
        for query in queries:
            service.search(query)
    timings = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            service.search(query)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "searches": len(timings),
        "p50": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)],
        "max": timings[-1],
    }
