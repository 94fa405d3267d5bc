"""Put a backup made by ``manage.py backup`` back, all or nothing.

    python manage.py restore backups/painsite-YYYYMMDD-HHMMSS [--force]

1. Everything is checked before anything is touched: the manifest, the database
   file (SQLite: opens and passes SQLite's integrity check; PostgreSQL:
   ``pg_restore --list`` reads it), and every member of ``media.tar.gz`` (only
   plain files and folders under ``media/``, nothing that would land outside
   ``MEDIA_ROOT``, and enough free disk space for all of it).
2. The media are unpacked into a hidden folder inside ``MEDIA_ROOT``: if that
   fails (a damaged archive, a full disk) it is removed and nothing else changed.
3. The database is replaced in one transaction. SQLite: SQLite's backup API
   writes the backup into the configured database file (refuses to overwrite an
   existing one without ``--force``; a consistent copy of the old one is kept
   beside it as ``<name>.before-restore``). PostgreSQL: ``pg_restore --clean
   --if-exists --single-transaction``. If it fails, the unpacked media are removed.
4. The unpacked files are moved into place (renames on the same disk).

Stop the site (gunicorn) before restoring.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import pg_environment

DATABASE_FILES = {"sqlite": "db.sqlite3", "postgresql": "db.dump"}
MEDIA_FILE = "media.tar.gz"
STAGING_PREFIX = ".restore-"


class Command(BaseCommand):
    help = "Restore the database and media folder from a folder written by 'manage.py backup'."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--force", action="store_true", help="replace existing data")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, folder, force, database, **options):
        folder = Path(folder)
        connection = connections[database]
        manifest = read_manifest(folder, connection.vendor)
        source = folder / manifest["database_file"]
        archive = folder / manifest["media_file"] if manifest.get("media_file") else None
        media_root = Path(settings.MEDIA_ROOT)

        # 1. Check everything; nothing has been changed yet.
        if archive and media_root.is_dir() and any(media_root.iterdir()) and not force:
            raise CommandError(f"{media_root} is not empty. Add --force to restore over it.")
        if connection.vendor == "sqlite":
            destination = self.check_sqlite(connection, source, force)
        else:
            self.check_postgresql(connection, source)
        if archive:
            check_media(archive, media_root)

        # 2. Unpack the media where a failure leaves nothing behind.
        staging = stage_media(archive, media_root) if archive else None
        try:
            # 3. The database, in one transaction.
            if connection.vendor == "sqlite":
                self.restore_sqlite(connection, source, destination)
            else:
                self.restore_postgresql(connection, source)
        except BaseException:
            if staging is not None:
                staging.remove()
            raise
        # 4. The media into place.
        if staging is not None:
            staging.move_into_place()
        self.stdout.write(f"Restored {folder}")

    # --- SQLite ---------------------------------------------------------------------

    def check_sqlite(self, connection, source: Path, force: bool) -> Path:
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise CommandError("The configured SQLite database is in memory; nothing to restore.")
        try:
            with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as db:
                check = db.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as exc:
            raise CommandError(f"{source} is not a readable SQLite database ({exc}).") from None
        if check != "ok":
            raise CommandError(f"{source} failed SQLite's integrity check ({check}); not restored.")
        if "django_migrations" not in tables:
            raise CommandError(f"{source} is not a backup of this site's database.")
        destination = Path(name)
        if destination.exists() and destination.stat().st_size > 0 and not force:
            raise CommandError(
                f"{destination} already exists. Add --force to replace it "
                "(the current file is kept as *.before-restore)."
            )
        return destination

    def restore_sqlite(self, connection, source: Path, destination: Path) -> None:
        connection.close()
        if destination.exists() and destination.stat().st_size > 0:
            keep = destination.with_name(destination.name + ".before-restore")
            with (
                closing(sqlite3.connect(destination)) as live,
                closing(sqlite3.connect(keep)) as copy,
            ):
                live.backup(copy)  # consistent, including what is still in the -wal file
        destination.parent.mkdir(parents=True, exist_ok=True)
        uri = source.resolve().as_uri() + "?mode=ro"
        with (
            closing(sqlite3.connect(uri, uri=True)) as backup,
            closing(sqlite3.connect(destination, timeout=30)) as live,
        ):
            backup.backup(live)  # one write transaction: all of it or none of it

    # --- PostgreSQL -----------------------------------------------------------------

    def pg_tool(self, name: str) -> str:
        tool = shutil.which(name)
        if tool is None:
            raise CommandError(f"{name} is not installed (apt-get install postgresql-client).")
        return tool

    def check_postgresql(self, connection, source: Path) -> None:
        result = subprocess.run(
            [self.pg_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise CommandError(
                f"{source} is not a readable pg_dump archive: {result.stderr.strip()}"
            )

    def restore_postgresql(self, connection, source: Path) -> None:
        db = connection.settings_dict
        args, env = pg_environment(db)
        connection.close()
        result = subprocess.run(
            [self.pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
            + ["--single-transaction", *args, "--dbname", str(db["NAME"]), str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")


# --- checks --------------------------------------------------------------------------


def read_manifest(folder: Path, vendor: str) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{folder} is not a backup folder (manifest.json: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("vendor") not in DATABASE_FILES:
        raise CommandError(f"{folder}/manifest.json does not name a supported database.")
    if manifest["vendor"] != vendor:
        raise CommandError(
            f"This is a {manifest['vendor']} backup; the configured database is {vendor}."
        )
    # Only the names the backup command writes: never a path that leads out of the folder.
    if manifest.get("database_file") != DATABASE_FILES[vendor]:
        raise CommandError(
            f"{folder}/manifest.json: 'database_file' must be {DATABASE_FILES[vendor]!r}."
        )
    if manifest.get("media_file") not in (None, MEDIA_FILE):
        raise CommandError(f"{folder}/manifest.json: 'media_file' must be {MEDIA_FILE!r}.")
    for key in ("database_file", "media_file"):
        if manifest.get(key) and not (folder / manifest[key]).is_file():
            raise CommandError(f"{folder / manifest[key]} is missing.")
    return manifest


def _members(tar: tarfile.TarFile, media_root: Path):
    """Each member with its name inside MEDIA_ROOT; CommandError for anything else."""
    for member in tar.getmembers():
        if member.name != "media" and not member.name.startswith("media/"):
            raise CommandError(f"The media archive holds {member.name!r}, outside 'media/'.")
        if not (member.isfile() or member.isdir()):
            raise CommandError(
                f"The media archive holds {member.name!r}, which is not a plain file or folder."
            )
        inside = member.name.removeprefix("media").lstrip("/") or "."
        try:  # the same checks extraction makes: no absolute paths, no way out with '..'
            tarfile.data_filter(member.replace(name=inside, deep=False), str(media_root))
        except tarfile.FilterError as exc:
            raise CommandError(f"The media archive holds an unsafe member: {exc}") from None
        yield member, inside


def check_media(archive: Path, media_root: Path) -> int:
    """Read every member of the archive; return the bytes it unpacks to."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            size = sum(member.size for member, _ in _members(tar, media_root))
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise CommandError(f"{archive} cannot be read ({exc}); nothing was restored.") from None
    existing = media_root if media_root.is_dir() else _nearest_existing(media_root)
    free = shutil.disk_usage(existing).free
    if size > free:
        raise CommandError(
            f"The media need {size / 1e6:.1f} MB but only {free / 1e6:.1f} MB are free "
            f"under {existing}; nothing was restored."
        )
    return size


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


# --- unpacking -----------------------------------------------------------------------


class Staging:
    """A hidden folder inside MEDIA_ROOT (same disk: moving out of it is a rename)."""

    def __init__(self, media_root: Path):
        self.media_root = media_root
        self.created_root = not media_root.exists()
        try:
            media_root.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
        except OSError as exc:
            raise CommandError(
                f"Cannot write to {media_root} ({exc}); nothing was restored."
            ) from None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.created_root:
            try:
                self.media_root.rmdir()  # only if nothing else is in it
            except OSError:
                pass

    def move_into_place(self) -> None:
        for folder, _dirs, files in os.walk(self.path):
            target = self.media_root / Path(folder).relative_to(self.path)
            target.mkdir(exist_ok=True)
            for name in files:
                os.replace(Path(folder) / name, target / name)
        shutil.rmtree(self.path)


def stage_media(archive: Path, media_root: Path) -> Staging:
    staging = Staging(media_root)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for member, inside in _members(tar, media_root):
                member.name = inside
                members.append(member)
            tar.extractall(staging.path, members=members, filter="data")
    except (OSError, tarfile.TarError, EOFError) as exc:
        staging.remove()
        raise CommandError(f"Unpacking {archive} failed ({exc}); nothing was restored.") from None
    except BaseException:
        staging.remove()
        raise
    return staging
