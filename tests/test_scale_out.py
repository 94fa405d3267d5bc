"""Two app servers sharing one PostgreSQL and one Redis: a publish through one is
served by the other on the next request (PostgreSQL leg of CI; skipped on SQLite)."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from core.pages import Status
from tests.factories import make_procedure, make_user

REDIS_URL = os.environ.get("REDIS_URL", "")
HOST = {"Host": "localhost"}


def redis_answers() -> bool:
    if not REDIS_URL:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL leg only"),
    pytest.mark.skipif(not redis_answers(), reason="needs REDIS_URL and a Redis that answers"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def two_servers(transactional_db):
    """Two gunicorn servers on different ports: the test database, one Redis, one prefix."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="painsite.settings.test",
        PAINSITE_ENV_FILE="",
        DATABASE_URL=database_url(),
        REDIS_URL=REDIS_URL,
        PAINSITE_TEST_CACHE_PREFIX=f"scale-out-{secrets.token_hex(4)}",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    ports, servers = [free_port(), free_port()], []
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    try:
        for port in ports:
            servers.append(
                subprocess.Popen(
                    [gunicorn, "--config", "gunicorn.conf.py"],
                    cwd=settings.BASE_DIR,
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            wait_until_up(port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on port {port}")


def get(url: str, opener=None):
    # One host name for both servers, as behind the proxy (the page cache's keys hold it).
    opener = opener or urllib.request.build_opener()
    response = opener.open(urllib.request.Request(url, headers=HOST), timeout=10)
    return response.read().decode(), response.headers


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def publish_through(base: str, procedure, username: str) -> None:
    """Sign in to the admin of ``base`` and publish ``procedure`` with the list action."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = base + reverse("admin:login")
    html, _ = get(login, opener)
    form = {
        "username": username,
        "password": "a-long-test-password",
        "csrfmiddlewaretoken": csrf_token(html),
        "next": reverse("admin:index"),
    }
    post(opener, login, form)
    changelist = base + reverse("admin:procedures_procedure_changelist")
    html, _ = get(changelist, opener)
    form = {
        "action": "publish_selected",
        "_selected_action": str(procedure.pk),
        "csrfmiddlewaretoken": csrf_token(html),
    }
    post(opener, changelist, form)


def post(opener, url: str, form: dict) -> None:
    data = urllib.parse.urlencode(form).encode()
    opener.open(urllib.request.Request(url, data=data, headers=HOST), timeout=10)


def test_a_publish_through_one_server_is_served_by_the_other_at_once(two_servers):
    one, other = two_servers
    make_user("publisher", superuser=True)
    draft = make_procedure(slug="scale-out", title="Shared cache treatment", status=Status.DRAFT)
    listing = reverse("procedures:list")
    for base in (one, other):
        for _ in range(2):
            html, headers = get(base + listing)
            assert "Shared cache treatment" not in html
        assert headers["X-Page-Cache"] == "hit"  # kept in the shared cache

    publish_through(one, draft, "publisher")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED

    html, headers = get(other + listing)
    assert "Shared cache treatment" in html and headers["X-Page-Cache"] == "miss"
    html, headers = get(one + listing)
    assert "Shared cache treatment" in html and headers["X-Page-Cache"] == "hit"
    html, _ = get(other + draft.get_absolute_url())
    assert "Shared cache treatment" in html
