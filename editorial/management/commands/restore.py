"""Put a backup made by ``manage.py backup`` back.

    python manage.py restore backups/painsite-YYYYMMDD-HHMMSS [--force]

SQLite: copies ``db.sqlite3`` over the configured database file (refuses to
overwrite an existing one without ``--force``; the old file is kept beside it as
``<name>.before-restore``). PostgreSQL: ``pg_restore --clean --if-exists`` into
the configured database. Then unpacks ``media.tar.gz`` into ``MEDIA_ROOT``.
Stop the site (gunicorn) before restoring.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import pg_environment


class Command(BaseCommand):
    help = "Restore the database and media folder from a folder written by 'manage.py backup'."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--force", action="store_true", help="replace existing data")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, folder, force, database, **options):
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{folder} is not a backup folder (manifest.json: {exc})") from None
        connection = connections[database]
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"This is a {manifest['vendor']} backup; the configured database is "
                f"{connection.vendor}."
            )
        source = folder / manifest["database_file"]
        media_root = Path(settings.MEDIA_ROOT)
        if (
            manifest.get("media_file")
            and media_root.is_dir()
            and any(media_root.iterdir())
            and not force
        ):
            raise CommandError(f"{media_root} is not empty. Add --force to restore over it.")
        if connection.vendor == "sqlite":
            self.restore_sqlite(connection, source, force)
        else:
            self.restore_postgresql(connection, source)
        if manifest.get("media_file"):
            self.restore_media(folder / manifest["media_file"])
        self.stdout.write(f"Restored {folder}")

    def restore_sqlite(self, connection, source: Path, force: bool) -> None:
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise CommandError("The configured SQLite database is in memory; nothing to restore.")
        check = sqlite3.connect(source)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"{source} failed SQLite's integrity check; not restored.")
        finally:
            check.close()
        destination = Path(name)
        if destination.exists() and destination.stat().st_size > 0:
            if not force:
                raise CommandError(
                    f"{destination} already exists. Add --force to replace it "
                    "(the current file is kept as *.before-restore)."
                )
            shutil.copy2(destination, destination.with_name(destination.name + ".before-restore"))
        connection.close()
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)

    def restore_postgresql(self, connection, source: Path) -> None:
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise CommandError("pg_restore is not installed (apt-get install postgresql-client).")
        db = connection.settings_dict
        args, env = pg_environment(db)
        connection.close()
        result = subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            + [*args, "--dbname", str(db["NAME"]), str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    def restore_media(self, archive: Path) -> None:
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for member in tar.getmembers():
                if not (member.name == "media" or member.name.startswith("media/")):
                    continue
                member.name = member.name.removeprefix("media").lstrip("/") or "."
                members.append(member)
            tar.extractall(media_root, members=members, filter="data")
