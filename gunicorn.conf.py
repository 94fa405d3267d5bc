"""gunicorn settings (read automatically from the project folder). See docs/deployment.md.

gunicorn reads this file before Django starts, so the ``.env`` file is loaded here
too (the same one production settings read: ``PAINSITE_ENV_FILE``, else ``.env``;
real environment variables win): ``GUNICORN_BIND``, ``WEB_CONCURRENCY`` and
``GUNICORN_THREADS`` may be set there.
"""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from painsite.envfile import load_env_file  # noqa: E402

load_env_file()

wsgi_app = "painsite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers: a client that sends its request slowly holds one thread, not a whole
# worker, and an idle new connection waits in the worker's poller, not in a thread, so a
# handful of slow clients cannot starve the site (tests/test_gunicorn_config.py). Many
# of them still could: gunicorn must sit behind the TLS proxy, which reads each whole
# request before passing it on (README, "Deploy"), and by default it listens only on
# 127.0.0.1. The site serves workers × threads requests at once; each may keep a
# database connection open, so keep that product below PostgreSQL's max_connections
# (default 100).
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() + 1, 4)))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"  # stdout
errorlog = "-"  # stderr
# Method and path only: query strings (what a patient searched for) are never logged.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss id=%({x-request-id}o)s'
# Requests come from the TLS proxy on this machine; it sets X-Forwarded-Proto/-For.
# The same proxies Django believes for the visitor's address (TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get(
    "FORWARDED_ALLOW_IPS", os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
)
limit_request_line = 8190
limit_request_fields = 100
