"""The production server's access log never records query strings (search text is health data)."""

import runpy
from pathlib import Path

from django.conf import settings


def test_access_log_has_no_query_string():
    config = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):
        assert leaky not in log_format
