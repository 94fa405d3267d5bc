"""The ``.env`` file: read it (production settings and gunicorn), or write a local one.

:func:`load_env_file` reads ``.env`` in the project folder, or the file named by
``PAINSITE_ENV_FILE`` (empty: none), into the environment; real environment
variables win. Production settings and ``gunicorn.conf.py`` both call it, so
gunicorn's own settings (``GUNICORN_BIND``, ``WEB_CONCURRENCY``, ...) can live in
the same file as Django's.

    python -m painsite.envfile [PATH]

writes a local ``.env`` for trying production settings on this machine: a copy of
``.env.example`` with a freshly generated ``SECRET_KEY``, this folder's SQLite
database, the local Redis, and ``SECURE_SSL_REDIRECT=false`` (there is no TLS
proxy in front of ``make serve``). It never overwrites an existing file.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent


def env_file_path() -> Path | None:
    name = os.environ.get("PAINSITE_ENV_FILE", str(BASE_DIR / ".env"))
    return Path(name) if name else None


def load_env_file() -> Path | None:
    """Read the ``.env`` file into ``os.environ`` (never over a real variable); its path."""
    path = env_file_path()
    if path is None or not path.is_file():
        return None
    load_dotenv(path, override=False)
    return path


def local_values() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "http://127.0.0.1:8000",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXIES": "",  # no proxy in front of `make serve`
    }


def render(example: str, values: dict[str, str]) -> str:
    out = []
    for line in example.splitlines():
        key = line.split("=", 1)[0]
        if "=" in line and not line.startswith("#") and key in values:
            line = f"{key}={values[key]}"
        out.append(line)
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else BASE_DIR / ".env"
    if path.exists():
        print(f"{path} already exists; left unchanged.")
        return 0
    example = (BASE_DIR / ".env.example").read_text()
    path.write_text(render(example, local_values()))
    path.chmod(0o600)
    print(
        f"Wrote {path} for trying the site locally: a new SECRET_KEY, the SQLite database "
        "db.sqlite3, Redis on 127.0.0.1:6379 and SECURE_SSL_REDIRECT=false (plain http). "
        "Edit it for a real deployment (docs/deployment.md)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
