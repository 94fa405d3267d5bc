"""Settings package: ``base`` (shared), ``dev`` (the default), ``production``, ``test``.

Choose with ``DJANGO_SETTINGS_MODULE`` (``manage.py`` defaults to ``painsite.settings.dev``).
"""
