"""gunicorn settings (read automatically from the project folder). See docs/deployment.md."""

import multiprocessing
import os

wsgi_app = "painsite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"  # stdout
errorlog = "-"  # stderr
# Method and path only: query strings (what a patient searched for) are never logged.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss id=%({x-request-id}o)s'
# Requests come from the TLS proxy on this machine; it sets X-Forwarded-Proto/-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
limit_request_fields = 100
