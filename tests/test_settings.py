"""Production settings: stop at start-up on anything missing, read .env, pass the deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"]
SHOW = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.PAINSITE_REQUIRE_2FA, "
    "settings.SESSION_COOKIE_NAME, settings.CACHES['default']['BACKEND'], settings.ALLOWED_HOSTS)"
)


def production_env(**overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in REQUIRED
        + ["SECURE_SSL_REDIRECT", "PAINSITE_REQUIRE_2FA", "DJANGO_DEBUG", "TRUSTED_PROXIES"]
        # set by other tests in this process (live-server browser tests); never in deployment
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="painsite.settings.production",
        PAINSITE_ENV_FILE="",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="www.example.org",
        DATABASE_URL="sqlite:////tmp/painsite-settings-test.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SITE_URL="https://www.example.org",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def python(code_or_args, env):
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_production_stops_with_a_clear_message_when_a_variable_is_missing(name, value):
    result = python(SHOW, production_env(**{name: value}))
    assert result.returncode != 0
    assert f"The environment variable {name} is required in production" in result.stderr
    assert "DJANGO_DEBUG" not in result.stdout


def test_production_refuses_a_weak_secret_key():
    result = python(SHOW, production_env(SECRET_KEY="short-and-guessable"))
    assert result.returncode != 0 and "SECRET_KEY is too weak" in result.stderr


def test_production_defaults_are_strict_even_if_debug_is_asked_for():
    result = python(SHOW, production_env(DJANGO_DEBUG="true"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:5] == [
        "False",
        "True",
        "True",
        "__Host-sessionid",
        "painsite.cache.TolerantRedisCache",
    ]


def test_production_reads_a_dot_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"SECRET_KEY={secrets.token_urlsafe(50)}\nALLOWED_HOSTS=from-file.example.org\n"
        "DATABASE_URL=sqlite:////tmp/x.sqlite3\nREDIS_URL=redis://127.0.0.1:6379/0\n"
        "SECURE_SSL_REDIRECT=false\n"
    )
    env = production_env(
        PAINSITE_ENV_FILE=str(env_file), SECRET_KEY=None, DATABASE_URL=None, REDIS_URL=None
    )
    result = python(SHOW, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "False"  # SECURE_SSL_REDIRECT from the file
    assert "www.example.org" in result.stdout  # ALLOWED_HOSTS from the real environment


def test_the_deployment_check_reports_nothing():
    result = python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_serve_writes_a_usable_local_env_file(tmp_path):
    target = tmp_path / ".env"
    result = python(["-m", "painsite.envfile", str(target)], production_env())
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert "SECURE_SSL_REDIRECT=false" in text
    key = next(
        line.split("=", 1)[1] for line in text.splitlines() if line.startswith("SECRET_KEY=")
    )
    assert len(key) >= 50
    env = production_env(PAINSITE_ENV_FILE=str(target), SECRET_KEY=None, ALLOWED_HOSTS=None)
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL")
    result = python(SHOW, env)
    assert result.returncode == 0, result.stderr
    again = python(["-m", "painsite.envfile", str(target)], production_env())
    assert "left unchanged" in again.stdout and target.read_text() == text


@pytest.mark.parametrize(
    ("url", "sqlite_options"),
    [("sqlite:////tmp/painsite-options.sqlite3", True), ("postgres://u@127.0.0.1:5432/x", False)],
)
def test_sqlite_only_options_are_set_only_for_sqlite(url, sqlite_options):
    show = (
        "import django; from django.conf import settings; django.setup(); "
        "print(sorted(settings.DATABASES['default']['OPTIONS'].items()))"
    )
    result = python(show, production_env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    assert ("'transaction_mode', 'IMMEDIATE'" in result.stdout) is sqlite_options
    assert ("journal_mode=WAL" in result.stdout) is sqlite_options


def test_production_trusts_only_the_local_proxy_by_default_and_refuses_a_bad_entry():
    show = "import django; from django.conf import settings; django.setup(); "
    show += "print(settings.TRUSTED_PROXIES)"
    result = python(show, production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['127.0.0.1', '::1']"
    result = python(show, production_env(TRUSTED_PROXIES="10.0.0.0/8, proxy.internal"))
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an IP address" in result.stderr


def test_production_refuses_a_site_url_that_is_not_an_address():
    result = python(SHOW, production_env(SITE_URL="www.example.org/clinic"))
    assert result.returncode != 0
    assert "SITE_URL must be the site's address" in result.stderr


def test_make_run_on_another_port_gives_every_link_that_port():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "SITE_URL=http://127.0.0.1:8001" in result.stdout
    assert "runserver 127.0.0.1:8001" in result.stdout
