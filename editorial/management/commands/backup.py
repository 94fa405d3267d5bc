"""A consistent copy of the database and the uploaded files, in one timestamped folder.

    python manage.py backup [--output DIR]

writes ``DIR/painsite-YYYYMMDD-HHMMSS/`` (``DIR`` defaults to ``backups/``) with

* ``db.sqlite3`` (SQLite: SQLite's online backup API, a consistent snapshot even
  while the site is serving) or ``db.dump`` (PostgreSQL: ``pg_dump --format=custom``),
* ``media.tar.gz``: the whole ``MEDIA_ROOT`` (uploaded images), if it exists,
* ``manifest.json``: when, which database, and how many rows each table had.

``python manage.py restore FOLDER`` puts one back (see docs/deployment.md, "Backup and restore").
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone


def pg_environment(db: dict) -> tuple[list[str], dict]:
    """libpq connection arguments and environment for pg_dump / pg_restore / psql."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def row_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Write a consistent copy of the database and the media folder to a timestamped folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "backups"),
            help="folder that receives the backup folder (default: backups/)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, output, database, **options):
        connection = connections[database]
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output) / f"painsite-{stamp}"
        suffix = 1
        while target.exists():
            suffix += 1
            target = Path(output) / f"painsite-{stamp}-{suffix}"
        target.mkdir(parents=True)

        if connection.vendor == "sqlite":
            db_file = self.backup_sqlite(connection, target)
        elif connection.vendor == "postgresql":
            db_file = self.backup_postgresql(connection, target)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")

        media_file = None
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            media_file = target / "media.tar.gz"
            with tarfile.open(media_file, "w:gz") as tar:
                tar.add(media_root, arcname="media")

        manifest = {
            "created": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database_file": db_file.name,
            "media_file": media_file.name if media_file else None,
            "rows": row_counts(connection),
        }
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"Backup written to {target}")
        return None

    def backup_sqlite(self, connection, target: Path) -> Path:
        destination = target / "db.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(destination)
        try:
            connection.connection.backup(copy)  # SQLite's online backup API
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
        if check != "ok":
            raise CommandError(f"The copy failed SQLite's integrity check: {check}")
        return destination

    def backup_postgresql(self, connection, target: Path) -> Path:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "pg_dump is not installed. Install the PostgreSQL client tools "
                "(Debian: apt-get install postgresql-client) and run the backup again, or run "
                "'pg_dump --format=custom --file db.dump DBNAME' on the database server."
            )
        db = connection.settings_dict
        destination = target / "db.dump"
        args, env = pg_environment(db)
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", "--file", str(destination), *args]
            + [str(db["NAME"])],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return destination
