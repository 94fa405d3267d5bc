"""gunicorn: reads the same .env as Django, never logs query strings, survives slow clients."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CONFIG = BASE_DIR / "gunicorn.conf.py"
GUNICORN_VARIABLES = ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "TRUSTED_PROXIES")
SHOW = (
    "import runpy, sys; c = runpy.run_path(sys.argv[1]); "
    "print(c['bind'], c['workers'], c['threads'], c['worker_class'], c['forwarded_allow_ips'])"
)


def clean_env(**values) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in GUNICORN_VARIABLES}
    env.update(values)
    return env


def read_config(env) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SHOW, str(CONFIG)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_access_log_has_no_query_string(monkeypatch):
    import runpy

    monkeypatch.setenv("PAINSITE_ENV_FILE", "")  # not this machine's .env into the test process
    config = runpy.run_path(str(CONFIG))
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):
        assert leaky not in log_format


def test_gunicorn_reads_the_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "GUNICORN_BIND=127.0.0.1:8123\nWEB_CONCURRENCY=3\nGUNICORN_THREADS=6\n"
        "TRUSTED_PROXIES=10.0.0.5\n"
    )
    assert read_config(clean_env(PAINSITE_ENV_FILE=str(env_file))) == [
        "127.0.0.1:8123",
        "3",
        "6",
        "gthread",
        "10.0.0.5",
    ]
    real = clean_env(PAINSITE_ENV_FILE=str(env_file), WEB_CONCURRENCY="2")
    assert read_config(real)[1] == "2"


def test_without_an_env_file_the_defaults_hold():
    bind, workers, threads, worker_class, proxies = read_config(clean_env(PAINSITE_ENV_FILE=""))
    assert bind == "127.0.0.1:8000" and worker_class == "gthread"
    assert 2 <= int(workers) <= 4 and int(threads) > 8  # more threads than slow clients below
    assert int(workers) * int(threads) <= 80  # database connections: below max_connections
    assert proxies == "127.0.0.1,::1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


@pytest.fixture
def gunicorn(tmp_path):
    """The real gunicorn.conf.py with one worker, its address given only in the .env file."""
    port = free_port()
    env_file = tmp_path / ".env"
    env_file.write_text(f"GUNICORN_BIND=127.0.0.1:{port}\nWEB_CONCURRENCY=1\n")
    env = clean_env(
        PAINSITE_ENV_FILE=str(env_file),
        DJANGO_SETTINGS_MODULE="painsite.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--config", str(CONFIG)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/robots.txt"
    try:
        for _ in range(100):
            try:
                if get(url, timeout=2) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer on the address from the .env file")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_eight_slow_clients_do_not_starve_the_site(gunicorn):
    host, port = gunicorn.split("/")[2].split(":")
    slow = []
    try:
        for _ in range(8):  # each sends half a request and then nothing (one worker)
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(sock)
        time.sleep(0.5)  # let every one of them reach a worker
        started = time.monotonic()
        assert get(gunicorn, timeout=10) == 200
        assert time.monotonic() - started < 3  # sync workers: stuck until the 30 s timeout
    finally:
        for sock in slow:
            sock.close()
