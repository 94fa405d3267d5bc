"""``manage.py backup``, then ``restore`` into a fresh database, which then serves a page."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_procedure

BASE_DIR = Path(settings.BASE_DIR)
SERVE = """
import django, sys
django.setup()
from django.test import Client
from procedures.models import Procedure
response = Client().get(sys.argv[1])
print(response.status_code, Procedure.objects.count())
print(response.content.decode())
"""


def run(args, env, **kwargs):
    result = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, **kwargs
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def fresh_env(database_url: str, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTEST_ADDOPTS")}
    env.update(
        DJANGO_SETTINGS_MODULE="painsite.settings.dev",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        ALLOWED_HOSTS="testserver",
    )
    return env


@pytest.fixture
def site(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "figures").mkdir(parents=True)
    (settings.MEDIA_ROOT / "figures" / "diagram.txt").write_text("a stand-in for an image")
    return make_procedure(title="Backed-up procedure", slug="backed-up")


def make_backup(tmp_path) -> Path:
    call_command("backup", output=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["procedures_procedure"] == 1
    assert (folder / "media.tar.gz").is_file()
    return folder


def assert_serves_the_page(env, procedure, media_root):
    out = run(["-c", SERVE, procedure.get_absolute_url()], env)
    status_and_count, page = out.split("\n", 1)
    assert status_and_count == "200 1"
    assert "Backed-up procedure" in page
    assert (media_root / "figures" / "diagram.txt").read_text() == "a stand-in for an image"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")
def test_sqlite_backup_restores_into_a_fresh_database_that_serves_pages(site, tmp_path):
    folder = make_backup(tmp_path)
    assert (folder / "db.sqlite3").is_file()
    restored = tmp_path / "restored" / "db.sqlite3"
    media = tmp_path / "restored-media"
    env = fresh_env(f"sqlite:///{restored}", media)
    run(["manage.py", "restore", str(folder)], env)
    assert_serves_the_page(env, site, media)
    # A second restore over the now-existing database needs --force, and keeps the old file.
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "--force" in result.stderr
    run(["manage.py", "restore", "--force", str(folder)], env)
    assert restored.with_name("db.sqlite3.before-restore").is_file()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup path")
def test_postgresql_backup_restores_into_a_fresh_database_that_serves_pages(site, tmp_path):
    import psycopg

    folder = make_backup(tmp_path)
    assert (folder / "db.dump").is_file()
    db = connection.settings_dict
    name = f"painsite_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
        media = tmp_path / "restored-media"
        env = fresh_env(url, media)
        if db["PASSWORD"]:
            env["PGPASSWORD"] = db["PASSWORD"]
        run(["manage.py", "restore", str(folder)], env)
        assert_serves_the_page(env, site, media)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, db):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path))
