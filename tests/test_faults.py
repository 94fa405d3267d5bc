"""Fault injection (issue 16): failing services and hostile timing give no 500 and lose nothing.

* parallel saves and a locked database (SQLite on a real file; PostgreSQL in-process);
* Redis down: every page type renders from the database, with a warning logged;
* a full disk while an image is stored: a clear message, no row, no files left;
* a bad backup: restore refuses it before touching the database or the media.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from clinic.models import ClinicDetails
from painsite import cache as tolerant_cache
from tests import parallel_saves
from tests.factories import make_condition, make_faq, make_procedure, make_term, make_user

BASE_DIR = Path(settings.BASE_DIR)


# --- parallel saves and a locked database -------------------------------------------


@pytest.fixture(scope="module")
def sqlite_file_run(tmp_path_factory):
    """tests/parallel_saves.py against a fresh SQLite file, with the site's own settings."""
    folder = tmp_path_factory.mktemp("sqlite-file")
    db_file = folder / "db.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "PYTEST_ADDOPTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="painsite.settings.test",
        DATABASE_URL=f"sqlite:///{db_file}",
        MEDIA_ROOT=str(folder / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.parallel_saves", str(db_file)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_every_save_succeeded(run: dict):
    assert run["errors"] == []  # no "database is locked"
    first, second, third = parallel_saves.PAGES
    assert run["saved"][first] in ("Saved by editor 0.", "Saved by editor 1.")
    assert run["saved"][second] == "Saved by editor 2."
    assert run["saved"][third] == "Saved by editor 3."
    # Created, then saved twice / once / once: every save is in the page's history.
    assert run["history"] == {first: 3, second: 2, third: 2}
    assert run["order"] == 101  # and the load's write is kept too


def test_parallel_saves_on_a_sqlite_file_all_succeed(sqlite_file_run):
    assert_every_save_succeeded(sqlite_file_run["parallel"])


def test_a_save_waits_for_a_locked_sqlite_database_and_pages_still_read(sqlite_file_run):
    locked = sqlite_file_run["locked"]
    assert locked["error"] is None
    assert locked["saved"] == "Saved while the database was locked."
    assert locked["waited"] >= 1.0  # it waited for the other process's lock ...
    assert locked["page_status"] == 200 and locked["read_seconds"] < 1.0  # ... readers did not


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot show file locking: "
    "test_parallel_saves_on_a_sqlite_file_all_succeed covers SQLite",
)
def test_parallel_saves_on_the_configured_database_all_succeed(transactional_db):
    parallel_saves.make_pages()
    assert_every_save_succeeded(parallel_saves.fire())


def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    options = settings.DATABASES["default"]["OPTIONS"]
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in options  # PostgreSQL: nothing SQLite-only
        return
    assert options["transaction_mode"] == "IMMEDIATE"
    assert 5 <= options["timeout"] < 30  # waits, but less than gunicorn's worker timeout
    assert "journal_mode=WAL" in options["init_command"]


# --- Redis down --------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "painsite.cache.TolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "painsite-faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down():
    tolerant_cache.reset()
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{closed_port()}/0")):
        yield
    tolerant_cache.reset()


@pytest.fixture
def pages(db):
    condition = make_condition(slug="sciatica-fault")
    procedure = make_procedure(slug="nerve-block-fault", conditions=[condition])
    make_faq(procedures=[procedure])
    make_term()
    return {"procedure": procedure, "condition": condition}


PAGE_TYPES = {
    "home": (lambda p: reverse("home"), 200),
    "procedure list": (lambda p: reverse("procedures:list"), 200),
    "procedure detail": (lambda p: p["procedure"].get_absolute_url(), 200),
    "where it hurts": (lambda p: reverse("procedures:where_it_hurts"), 200),
    "compare": (lambda p: reverse("procedures:compare"), 200),
    "condition list": (lambda p: reverse("conditions:list"), 200),
    "condition detail": (lambda p: p["condition"].get_absolute_url(), 200),
    "faq": (lambda p: reverse("faq:list"), 200),
    "glossary": (lambda p: reverse("glossary:list"), 200),
    "search": (lambda p: reverse("search:results") + "?q=nerve", 200),
    "sitemap": (lambda p: reverse("sitemap"), 200),
    "robots.txt": (lambda p: reverse("robots_txt"), 200),
    "404": (lambda p: "/no-such-page/", 404),
    "admin login": (lambda p: reverse("admin:login"), 200),
}


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_renders_from_the_database_when_redis_is_down(
    client, pages, redis_down, caplog, name
):
    url, status = PAGE_TYPES[name]
    with caplog.at_level(logging.WARNING, logger="painsite.cache"):
        response = client.get(url(pages))
    assert response.status_code == status
    if name not in ("sitemap", "robots.txt"):  # every template asks the cache for the clinic
        assert "The Redis cache is unavailable" in caplog.text
    if name not in ("sitemap", "robots.txt", "admin login"):  # ... and shows its details
        assert "Example Pain Clinic" in response.content.decode()


def test_the_admin_works_when_redis_is_down(client, pages, redis_down):
    client.force_login(make_user(superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200
    change = reverse("admin:procedures_procedure_change", args=[pages["procedure"].pk])
    assert client.get(change).status_code == 200


def test_clinic_details_saved_while_redis_is_down_are_shown_at_once(client, db, redis_down):
    ClinicDetails.objects.create(name="Riverside Pain Clinic", phone="555-0199")
    assert "Riverside Pain Clinic" in client.get(reverse("home")).content.decode()


class FakeRedisClient:
    """Stands in for Django's Redis client: ``down`` makes every call fail as Redis would."""

    def __init__(self):
        self.down = False
        self.data: dict[str, object] = {}
        self.deleted: list[str] = []

    def _check(self):
        if self.down:
            from redis.exceptions import ConnectionError

            raise ConnectionError("Error 111 connecting to redis. Connection refused.")

    def get(self, key, default):
        self._check()
        return self.data.get(key, default)

    def set(self, key, value, timeout):
        self._check()
        self.data[key] = value

    def delete(self, key):
        self._check()
        self.deleted.append(key)
        return bool(self.data.pop(key, None))

    def get_client(self, key=None, *, write=False):
        self._check()
        fake = self

        class Client:
            def delete(self, *keys):
                for key in keys:
                    fake.deleted.append(key)
                    fake.data.pop(key, None)

        return Client()


@pytest.fixture
def fake_redis(monkeypatch):
    tolerant_cache.reset()
    cache = tolerant_cache.TolerantRedisCache("redis://fake-redis:6379/0", {})
    fake = FakeRedisClient()
    cache.__dict__["_cache"] = fake  # RedisCache._cache is a cached property
    yield cache, fake
    tolerant_cache.reset()


def test_a_cache_that_cannot_reach_redis_answers_like_an_empty_one(fake_redis, caplog):
    cache, fake = fake_redis
    cache.set("details", {"name": "Old"})
    fake.down = True
    with caplog.at_level(logging.WARNING, logger="painsite.cache"):
        assert cache.get("details") is None
        assert cache.get("details", "fallback") == "fallback"
        assert cache.get_or_set("computed", lambda: 42) == 42
        assert cache.add("k", 1) is False and cache.has_key("k") is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # the keys not stored
        with pytest.raises(ValueError):
            cache.incr("counter")
        cache.set("x", 1)  # dropped, no error
        cache.delete_many(["a"])
        cache.clear()
    # One warning for the outage, not one per call: the rest answered without trying.
    assert caplog.text.count("The Redis cache is unavailable") == 1


def test_a_delete_missed_during_an_outage_is_done_when_redis_is_back(fake_redis, monkeypatch):
    cache, fake = fake_redis
    cache.set("details", {"phone": "old number"})
    fake.down = True
    cache.delete("details")  # the clinic saved new details while Redis was down
    assert fake.data  # ... so Redis still holds the old ones
    fake.down = False
    monkeypatch.setattr(tolerant_cache, "RETRY_AFTER_SECONDS", 0)
    tolerant_cache._down_until.clear()  # the retry time has passed
    assert cache.get("details") is None  # the owed delete ran first: no stale phone number
    assert cache.make_and_validate_key("details") in fake.deleted
    assert not tolerant_cache._pending_deletes


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a running Redis (REDIS_URL)")
def test_the_tolerant_cache_works_with_a_real_redis():
    tolerant_cache.reset()
    with override_settings(CACHES=redis_cache(os.environ["REDIS_URL"])):
        from django.core.cache import cache

        cache.set("faults:probe", {"ok": True}, 30)
        assert cache.get("faults:probe") == {"ok": True}
        cache.delete("faults:probe")
        assert cache.get("faults:probe") is None


# --- a full disk while an image is stored -----------------------------------------------


@pytest.fixture
def full_disk_after(monkeypatch, tmp_path, settings):
    """Storage writes ``n`` files, then the disk is full half way through the next one."""
    from django.core.files.storage import FileSystemStorage

    settings.MEDIA_ROOT = tmp_path / "media"
    real_save = FileSystemStorage._save
    calls = {"n": 0}

    def arm(n):
        def save(self, name, content):
            calls["n"] += 1
            if calls["n"] <= n:
                return real_save(self, name, content)
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.read()[:100])  # what a full disk leaves behind
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(FileSystemStorage, "_save", save)

    return arm


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# The original, then WebP and JPEG at 480, 960 and 1440 px: the disk fills at each step.
@pytest.mark.parametrize("stored_before_full", [0, 1, 4, 6])
def test_a_full_disk_during_an_admin_upload_gives_a_message_and_leaves_nothing(
    client, db, full_disk_after, settings, stored_before_full
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from figures.models import Figure
    from tests.factories import make_reviewer
    from tests.test_images import admin_post, image_bytes

    full_disk_after(stored_before_full)
    client.force_login(make_reviewer())
    upload = SimpleUploadedFile("spine.jpg", image_bytes(size=(1600, 900)), "image/jpeg")
    response = admin_post(client, upload)
    assert response.status_code == 302  # back to the form, not a 500
    page = client.get(response["Location"]).content.decode()
    assert "The image could not be stored (No space left on device)" in page
    assert not Figure.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == []  # no orphans, no half-written file


def test_a_failed_figure_save_outside_the_admin_leaves_no_files_and_no_row(
    db, full_disk_after, settings
):
    from figures import images
    from figures.models import Figure
    from tests.factories import make_figure

    full_disk_after(3)
    with pytest.raises(images.ImageNotStored, match="nothing was saved") as failure:
        make_figure("diagram")
    assert isinstance(failure.value, OSError) and failure.value.errno == 28
    assert not Figure.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == []


def test_a_database_error_after_the_files_are_written_removes_them(db, settings, tmp_path):
    from django.db import IntegrityError

    from tests.factories import make_figure

    settings.MEDIA_ROOT = tmp_path / "media"
    make_figure("taken")
    before = files_under(Path(settings.MEDIA_ROOT))
    with pytest.raises(IntegrityError):
        make_figure("taken")  # the key is unique: the second row is refused
    assert files_under(Path(settings.MEDIA_ROOT)) == before


# --- a bad backup: restore checks everything first, then changes all or nothing -----------


def write_archive(path: Path, members: list[tuple[str, bytes | str | None]]) -> Path:
    """A media.tar.gz: (name, bytes) files, (name, None) folders, (name, "->target") links."""
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data.removeprefix("->")
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


GOOD_MEDIA = [("media", None), ("media/figures", None), ("media/figures/a.jpg", b"jpeg")]
BAD_ARCHIVES = {
    "a '..' member": (
        GOOD_MEDIA + [("media/../../escaped.txt", b"x")],
        "unsafe member",
    ),
    "a member outside media/": (GOOD_MEDIA + [("../escaped.txt", b"x")], "outside 'media/'"),
    "an absolute member": (GOOD_MEDIA + [("/tmp/escaped.txt", b"x")], "outside 'media/'"),
    "a link": (GOOD_MEDIA + [("media/figures/b.jpg", "->/etc/passwd")], "not a plain file"),
}


@pytest.mark.parametrize("name", BAD_ARCHIVES)
def test_a_bad_media_archive_is_refused_before_anything_changes(tmp_path, name):
    from django.core.management.base import CommandError

    from editorial.management.commands.restore import check_media

    members, message = BAD_ARCHIVES[name]
    archive = write_archive(tmp_path / "media.tar.gz", members)
    with pytest.raises(CommandError, match=message):
        check_media(archive, tmp_path / "media")
    assert not (tmp_path / "media").exists() and not (tmp_path.parent / "escaped.txt").exists()


def test_a_truncated_media_archive_is_refused(tmp_path):
    from django.core.management.base import CommandError

    from editorial.management.commands.restore import check_media

    archive = write_archive(tmp_path / "media.tar.gz", GOOD_MEDIA * 1)
    archive.write_bytes(archive.read_bytes()[:40])
    with pytest.raises(CommandError, match="cannot be read"):
        check_media(archive, tmp_path / "media")


def test_media_that_do_not_fit_on_the_disk_are_refused(tmp_path, monkeypatch):
    import shutil
    from types import SimpleNamespace

    from django.core.management.base import CommandError

    from editorial.management.commands import restore

    archive = write_archive(tmp_path / "media.tar.gz", GOOD_MEDIA)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=9, used=8, free=1))
    with pytest.raises(CommandError, match="only 0.0 MB are free"):
        restore.check_media(archive, tmp_path / "media")


@pytest.fixture
def restored_site(transactional_db, tmp_path, settings):
    """A good backup, restored into a fresh SQLite file and media folder (a subprocess)."""
    from tests.test_backup import fresh_env, make_backup, run

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite restore path (the archive checks above run on every engine)")
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "figures").mkdir(parents=True)
    (settings.MEDIA_ROOT / "figures" / "diagram.txt").write_text("a stand-in for an image")
    make_procedure(title="Backed-up procedure", slug="backed-up")
    folder = make_backup(tmp_path)
    database = tmp_path / "restored" / "db.sqlite3"
    media = tmp_path / "restored-media"
    env = fresh_env(f"sqlite:///{database}", media)
    run(["manage.py", "restore", str(folder)], env)
    return {"folder": folder, "env": env, "database": database, "media": media}


def site_state(site) -> dict:
    import hashlib

    return {
        "database": hashlib.sha256(site["database"].read_bytes()).hexdigest(),
        "media": {
            str(p.relative_to(site["media"])): p.read_bytes() for p in files_under(site["media"])
        },
        "beside": sorted(p.name for p in site["database"].parent.iterdir()),
    }


def restore_fails(site, folder: Path, *, patch: str = "") -> str:
    """Run ``restore --force folder`` (after ``patch``, Python code); its error output."""
    script = (
        "import django, sys; django.setup()\n"
        f"{patch}\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'restore', '--force', sys.argv[1]])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        cwd=BASE_DIR,
        env=site["env"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def bad_copy(site, tmp_path, change) -> Path:
    import shutil

    folder = shutil.copytree(site["folder"], tmp_path / "bad-backup")
    change(folder)
    return folder


def set_manifest(**values):
    def change(folder):
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest.update(values)
        (folder / "manifest.json").write_text(json.dumps(manifest))

    return change


BAD_BACKUPS = {
    "media archive with a '..' member": (
        lambda f: write_archive(f / "media.tar.gz", GOOD_MEDIA + [("media/../../x.txt", b"x")]),
        "unsafe member",
    ),
    "truncated media archive": (
        lambda f: (f / "media.tar.gz").write_bytes((f / "media.tar.gz").read_bytes()[:60]),
        "cannot be read",
    ),
    "damaged database file": (
        lambda f: (f / "db.sqlite3").write_bytes(b"not a database" * 100),
        "is not a readable SQLite database",
    ),
    "database file outside the folder": (
        set_manifest(database_file="../../db.sqlite3"),
        "'database_file' must be 'db.sqlite3'",
    ),
    "manifest without a vendor": (set_manifest(vendor=None), "does not name a supported"),
    "missing media archive": (lambda f: (f / "media.tar.gz").unlink(), "media.tar.gz is missing"),
}


@pytest.mark.parametrize("name", BAD_BACKUPS)
def test_restore_refuses_a_bad_backup_and_changes_nothing(restored_site, tmp_path, name):
    change, message = BAD_BACKUPS[name]
    before = site_state(restored_site)
    error = restore_fails(restored_site, bad_copy(restored_site, tmp_path, change))
    assert message in error
    assert site_state(restored_site) == before  # database, media, no *.before-restore
    assert not (tmp_path / "x.txt").exists()


FAILURES = {
    # The disk fills while the media are unpacked: before the database is touched.
    "disk full while unpacking": (
        "import errno, tarfile\n"
        "def full(*args, **kwargs): raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "tarfile.TarFile.makefile = full",
        "No space left on device",
    ),
    # The database step fails after the media were unpacked: they are removed again.
    "database step fails": (
        "from django.core.management.base import CommandError\n"
        "from editorial.management.commands import restore\n"
        "def fail(*args): raise CommandError('the database could not be replaced')\n"
        "restore.Command.restore_sqlite = fail",
        "the database could not be replaced",
    ),
}


@pytest.mark.parametrize("name", FAILURES)
def test_a_restore_that_fails_half_way_leaves_everything_as_it_was(restored_site, tmp_path, name):
    patch, message = FAILURES[name]
    (restored_site["media"] / "figures" / "newer.txt").write_text("uploaded after the backup")
    before = site_state(restored_site)
    assert message in restore_fails(restored_site, restored_site["folder"], patch=patch)
    assert site_state(restored_site) == before
    assert not list(restored_site["media"].glob(".restore-*"))  # no unpacked leftovers
