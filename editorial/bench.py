"""``make bench``: how fast the public pages are, next to a static file, and at ×100.

One run, in throwaway folders and databases (nothing of the project's own is
touched; Redis keys get a prefix of their own and are removed at the end):

1. **Today's content, served.** A fresh database is migrated and ``content/`` is
   loaded. Each public page type is fetched once in a helper process (production
   settings, local-memory cache) to count its queries, time its render with the
   page cache missed, and keep its HTML. A static copy of each page (same bytes,
   with the same brotli and gzip copies whitenoise serves) is written next to the
   collected static files, and gunicorn is started with production settings. Then
   each page and its static copy are requested in turn, interleaved, several
   rounds, by a small load generator (keep-alive connections, ``Accept-Encoding:
   br, gzip`` like a browser): requests/s of the page as a share of its static
   copy's, p50 and p99 latency, bytes on the wire.
2. **×100.** The content files are copied a hundred times over (procedures,
   conditions and questions; the glossary and pathways once), loaded into another
   fresh database (time and peak memory of the load), and each page type's render
   time (page cache missed), HTML size and queries are measured, and search's
   p50/p95 over a set of patients' queries.

A benchmark prints figures; nothing here is a pass/fail test.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from django.conf import settings

HOST = "127.0.0.1"
# label -> path; None: the first published page of that page type (found by the helper).
PAGES = {
    "home": "/",
    "procedure": None,
    "procedure list": "/procedures/",
    "condition": None,
    "condition list": "/conditions/",
    "where it hurts": "/procedures/where-it-hurts/",
    "compare": "/procedures/compare/",
    "faq": "/faq/",
    "glossary": "/glossary/",
    "search": "/search/?q=back+pain+injection",
}
DETAIL_TYPES = {"procedure": "procedure", "condition": "condition"}
SEARCH_QUERIES = [
    "back pain injection",
    "sciatica",
    "nerve burning",
    "do i need a driver",
    "steroid shot for leg pain",
    "pinched nerve in my neck",
    "blood thinner",
    "epideral",
    "what happens after a spinal cord stimulator trial",
    "radiofrequency ablation risks",
]
MULTIPLIED = ("procedures", "conditions", "faq")  # copied ×N; the rest once
_NAME_LINE = re.compile(r"^(title|question): (.+)$", re.M)
_SLUG_LINE = re.compile(r"^slug: (.+)$", re.M)


# --- the throwaway site -------------------------------------------------------------


def production_env(folder: Path, database_url: str, port: int, workers: int, threads: int):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="painsite.settings.production",
        PAINSITE_ENV_FILE="",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(6)}",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        GUNICORN_BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        text=True,
    )
    return result.stdout or ""


def helper(env, function: str, **kwargs):
    """Run ``function(**kwargs)`` of this module in a fresh process with ``env``."""
    code = (
        "import django, json, sys; django.setup(); from editorial import bench; "
        f"print(json.dumps(bench.{function}(**json.loads(sys.argv[1]))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(kwargs)],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def multiply(source: Path, target: Path, times: int) -> None:
    """``source`` content with procedures, conditions and questions copied ``times`` over."""
    shutil.copytree(source, target)
    for folder in MULTIPLIED:
        for path in sorted((source / folder).glob("*.md")):
            text = path.read_text()
            slug = _SLUG_LINE.search(text).group(1).strip()
            for n in range(2, times + 1):
                copy = _SLUG_LINE.sub(f"slug: {slug}-{n}", text, count=1)
                copy = _NAME_LINE.sub(lambda m, n=n: f"{m.group(1)}: {m.group(2)} ({n})", copy, 1)
                (target / folder / f"{slug}-{n}.md").write_text(copy)


def timed_load(env, content: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of ``load_content`` in its own process."""
    code = (
        "import django, resource, sys, time; django.setup(); "
        "from django.core.management import call_command; t = time.perf_counter(); "
        "call_command('load_content', sys.argv[1], verbosity=0); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(content)],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    seconds, rss_kb = result.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(rss_kb) / 1024


# --- in the helper process (production settings, this module imported fresh) -------


def inspect_pages(static_dir: str | None = None, renders: int = 5) -> dict:
    """Queries, render time (page cache missed), size and HTML of each page type."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from core import page_cache
    from core.registry import registry

    paths = dict(PAGES)
    for label, type_name in DETAIL_TYPES.items():
        model = registry.get(type_name).model
        first = model.objects.published().order_by("pk").first()
        paths[label] = first.get_absolute_url() if first else None
    out = {}
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        client = Client(HTTP_HOST=HOST)
        client.get("/")  # the clinic's details cached, as on a running site
        for label, path in paths.items():
            if path is None:
                continue
            times, queries = [], 0
            for _ in range(renders):
                page_cache.bump_content_version()
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                queries = len(captured.captured_queries)
            html = response.content
            out[label] = {
                "path": path,
                "status": response.status_code,
                "queries": queries,
                "render_ms": statistics.median(times),
                "render_ms_max": max(times),
                "html_bytes": len(html),
                "br_bytes": len(brotli.compress(html, quality=9)),
            }
            if static_dir:
                name = f"{re.sub(r'[^a-z]+', '-', label)}.html"
                folder = Path(static_dir) / "bench"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(html)
                (folder / f"{name}.br").write_bytes(brotli.compress(html, quality=9))
                (folder / f"{name}.gz").write_bytes(gzip.compress(html, mtime=0))
                out[label]["static"] = f"{settings.STATIC_URL}bench/{name}"
    return out


def search_times(rounds: int = 5) -> dict:
    """p50/p95 of the search results page (query, ranking and render) over SEARCH_QUERIES."""
    from django.test import Client, override_settings
    from django.urls import reverse

    url = reverse("search:results")
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        client = Client(HTTP_HOST=HOST)
        for query in SEARCH_QUERIES:
            client.get(url, {"q": query})  # warm: synonyms, compiled patterns
        times = []
        for _ in range(rounds):
            for query in SEARCH_QUERIES:
                start = time.perf_counter()
                client.get(url, {"q": query})
                times.append((time.perf_counter() - start) * 1000)
        found = re.search(
            rb"([0-9,]+) (?:results|pages)", client.get(url, {"q": SEARCH_QUERIES[0]}).content
        )
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "matches": found.group(1).decode() if found else "?",
    }


# --- load generator ------------------------------------------------------------


def _hammer_process(port: int, path: str, seconds: float, threads: int):
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run():
        mine = []
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors[0]


@dataclass
class Run:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)] * 1000


def hammer(pool, port, path, seconds, processes, threads, into: Run) -> None:
    start = time.perf_counter()
    futures = [pool.submit(_hammer_process, port, path, seconds, threads) for _ in range(processes)]
    for future in futures:
        latencies, errors = future.result()
        into.requests += len(latencies)
        into.latencies.extend(latencies)
        into.errors += errors
    into.seconds += time.perf_counter() - start


def wire_bytes(port: int, path: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
    response = conn.getresponse()
    body = response.read()
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.getheaders())
    conn.close()
    return head + len(body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/robots.txt")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def forget_redis_keys(env) -> None:
    try:
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        keys = list(client.scan_iter(f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception:  # noqa: BLE001 - Redis may be absent; nothing to clean then
        pass


# --- the run ---------------------------------------------------------------------


def run(
    *,
    seconds: float = 2.0,
    rounds: int = 2,
    workers: int = 2,
    threads: int = 8,
    processes: int = 2,
    client_threads: int = 4,
    times: int = 100,
    write=print,
) -> None:
    with tempfile.TemporaryDirectory(prefix="painsite-bench-") as tmp:
        folder = Path(tmp)
        port = free_port()
        env = production_env(folder, f"sqlite:///{folder / 'x1.sqlite3'}", port, workers, threads)
        write(
            f"painsite bench: gunicorn (production settings, {workers} workers × {threads} "
            f"threads), SQLite, {processes}×{client_threads} keep-alive clients, "
            f"{rounds} interleaved rounds of {seconds:g} s per page and per static copy."
        )
        write("Setting up: migrate, load content/, collectstatic …")
        manage(env, "migrate", "--noinput")
        load_s, load_mb = timed_load(env, Path(settings.CONTENT_DIR))
        manage(env, "collectstatic", "--noinput")
        pages = helper(env, "inspect_pages", static_dir=env["STATIC_ROOT"])
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, server)
            results = serve_and_measure(
                pages, port, seconds, rounds, processes, client_threads, write
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            forget_redis_keys(env)
        print_served(pages, results, load_s, load_mb, write)

        if times > 1:
            write(f"\n×{times} content: copying the files, migrate, load …")
            big = folder / f"content-x{times}"
            multiply(Path(settings.CONTENT_DIR), big, times)
            env_big = production_env(
                folder, f"sqlite:///{folder / 'big.sqlite3'}", port, workers, threads
            )
            manage(env_big, "migrate", "--noinput")
            files = sum(1 for _ in big.rglob("*.md")) - 1
            procedures = sum(1 for _ in (big / "procedures").glob("*.md"))
            big_s, big_mb = timed_load(env_big, big)
            big_pages = helper(env_big, "inspect_pages", renders=3)
            big_search = helper(env_big, "search_times")
            forget_redis_keys(env_big)
            print_big(times, files, procedures, big_s, big_mb, big_pages, big_search, write)


def serve_and_measure(pages, port, seconds, rounds, processes, client_threads, write):
    results = {}
    with ProcessPoolExecutor(max_workers=processes) as pool:
        for page in pages.values():  # warm: the page cache holds every page
            hammer(pool, port, page["path"], 0.3, 1, 1, Run())
        for round_number in range(rounds):
            for label, page in pages.items():
                runs = results.setdefault(label, {"page": Run(), "static": Run()})
                order = ("static", "page") if round_number % 2 == 0 else ("page", "static")
                for which in order:
                    path = page["path"] if which == "page" else page["static"]
                    hammer(pool, port, path, seconds, processes, client_threads, runs[which])
            write(f"  round {round_number + 1} of {rounds} done")
    for label, page in pages.items():
        results[label]["wire"] = wire_bytes(port, page["path"])
        results[label]["static_wire"] = wire_bytes(port, page["static"])
    return results


def print_served(pages, results, load_s, load_mb, write):
    write("")
    write(f"Today's content (load_content: {load_s:.1f} s, peak {load_mb:.0f} MB)")
    header = (
        f"{'page':<15} {'req/s':>7} {'static':>7} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'queries':>7} {'render':>7} {'HTML':>8} {'wire':>7} {'errors':>6}"
    )
    write(header)
    write("-" * len(header))
    for label, page in pages.items():
        runs = results[label]
        ratio = runs["page"].rps / runs["static"].rps if runs["static"].rps else 0.0
        write(
            f"{label:<15} {runs['page'].rps:7.0f} {runs['static'].rps:7.0f} {ratio:6.2f} "
            f"{runs['page'].percentile(0.5):7.1f} {runs['page'].percentile(0.99):7.1f} "
            f"{page['queries']:7d} {page['render_ms']:6.1f}m {page['html_bytes']:8d} "
            f"{runs['wire']:7d} {runs['page'].errors + runs['static'].errors:6d}"
        )
    write(
        "req/s: the page; static: its same-size static copy (same bytes, same encodings); "
        "ratio: page ÷ static.\nqueries and render (ms): one render with the page cache "
        "missed. HTML: bytes uncompressed; wire: headers + body as a browser gets it (br)."
    )


def print_big(times, files, procedures, seconds, mb, pages, search, write):
    write(
        f"×{times}: {files} content files ({procedures} procedures); load_content "
        f"{seconds:.1f} s, peak {mb:.0f} MB"
    )
    header = (
        f"{'page':<15} {'render ms':>9} {'max ms':>7} {'queries':>7} {'HTML KB':>8} {'br KB':>6}"
    )
    write(header)
    write("-" * len(header))
    for label, page in pages.items():
        write(
            f"{label:<15} {page['render_ms']:9.1f} {page['render_ms_max']:7.1f} "
            f"{page['queries']:7d} {page['html_bytes'] / 1024:8.1f} {page['br_bytes'] / 1024:6.1f}"
        )
    write(
        f"search page over {len(SEARCH_QUERIES)} queries: p50 {search['p50']:.1f} ms, "
        f"p95 {search['p95']:.1f} ms ('back pain injection': {search['matches']} results)"
    )
