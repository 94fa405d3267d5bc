"""Search quality on a file of patient queries, and search speed.

The file: one query per line as ``query<TAB>path|path|…``; a path ending in
``*`` matches any result path with that prefix; ``#`` lines and blank lines
are ignored (the format of ``../shared/search-queries.tsv``).
"""

from __future__ import annotations

import math
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
    """Milliseconds per search (the whole service, database included).

    Wall-clock time is what a patient waits; CPU time (this process only) is also
    given because it does not grow when other programs share the machine.
    """
    for _ in range(warmup):
        for query in queries:
            service.search(query)
    wall, cpu = [], []
    for _ in range(rounds):
        for query in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            service.search(query)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "searches": len(wall),
        "p50": statistics.median(wall),
        "p95": percentile(wall, 95),
        "max": max(wall),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 95),
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))  # nearest-rank method
    return ordered[rank - 1]
