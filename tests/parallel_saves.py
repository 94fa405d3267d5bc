"""Staff saving at the same moment, each from their own thread and database connection.

Used by tests/test_faults.py in-process (PostgreSQL, with ``transactional_db``) and
in a subprocess on a SQLite file (``python -m tests.parallel_saves DB_FILE``), since
the in-memory SQLite test database cannot show how a real file locks.

The pattern that failed on SQLite ("database is locked", a 500): a transaction
that reads first (as the admin does) and then writes, while another one writes.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time

PAGES = ("parallel-one", "parallel-two", "parallel-three")
# Four saves at once, two of them on the same page.
SAVES = (PAGES[0], PAGES[0], PAGES[1], PAGES[2])


def make_pages() -> None:
    from tests.factories import make_procedure

    for slug in PAGES:
        make_procedure(slug=slug, title=slug.replace("-", " ").capitalize())


def fire(hold_seconds: float = 0.5) -> dict:
    """Run ``SAVES`` at once, while a content load holds the write lock; report what happened."""
    from django.db import connection, transaction
    from django.db.models import F

    from procedures.models import Procedure

    errors: list[str] = []
    barrier = threading.Barrier(len(SAVES) + 1)

    def save(number: int, slug: str) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                # Read with the row locked, then write, as every workflow operation does
                # (editorial.workflow._locked): on PostgreSQL a plain read would let this
                # save overwrite the load's change with the value it read before.
                page = Procedure.objects.select_for_update().get(slug=slug)
                page.summary = f"Saved by editor {number}."
                page._change_reason = f"parallel save {number}"
                page.save()
        except Exception as exc:  # what a 500 would have been
            errors.append(f"save {number} of {slug}: {exc!r}")
        finally:
            connection.close()

    def load() -> None:
        try:
            barrier.wait()
            with transaction.atomic():  # like load_content: one long write transaction
                Procedure.objects.filter(slug=PAGES[2]).update(order=F("order") + 1)
                time.sleep(hold_seconds)
        except Exception as exc:
            errors.append(f"load: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=load)]
    threads += [threading.Thread(target=save, args=(n, slug)) for n, slug in enumerate(SAVES)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    pages = {p.slug: p for p in Procedure.objects.filter(slug__in=PAGES)}
    return {
        "errors": errors,
        "seconds": round(time.monotonic() - started, 2),
        "saved": {slug: pages[slug].summary for slug in PAGES},
        "history": {slug: pages[slug].history.count() for slug in PAGES},
        "order": pages[PAGES[2]].order,
    }


def save_while_locked(db_file: str, lock_seconds: float = 1.0) -> dict:
    """Another process holds SQLite's write lock; a save waits for it instead of failing."""
    from django.db import transaction
    from django.test import Client

    from procedures.models import Procedure

    other = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as a content load or a backup in another process would
    release = threading.Timer(lock_seconds, lambda: other.execute("COMMIT"))
    started = time.monotonic()
    release.start()
    try:
        page = Procedure.objects.get(slug=PAGES[1])
        status = Client().get(page.get_absolute_url()).status_code  # reading is not blocked
        read_seconds = time.monotonic() - started
        with transaction.atomic():
            page = Procedure.objects.get(slug=PAGES[1])
            page.summary = "Saved while the database was locked."
            page.save()
        error = None
    except Exception as exc:
        error, status, read_seconds = repr(exc), None, None
    finally:
        release.join()
        other.close()
    return {
        "error": error,
        "page_status": status,
        "read_seconds": read_seconds,
        "waited": round(time.monotonic() - started, 2),
        "saved": Procedure.objects.get(slug=PAGES[1]).summary,
    }


def main(db_file: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    make_pages()
    print(json.dumps({"parallel": fire(), "locked": save_while_locked(db_file)}))


if __name__ == "__main__":
    main(sys.argv[1])
