import pytest
from django.conf import settings

from editorial import loader


@pytest.fixture
def site_content(db):
    """The real content/ folder loaded into the test database."""
    return loader.load(settings.CONTENT_DIR)


@pytest.fixture(autouse=True)
def _fresh_cache_with_clinic_details():
    """Every test starts with an empty cache holding only the clinic's details.

    A running site serves the clinic's details (header and footer of every page)
    from the cache; starting each test in that steady state keeps the pinned query
    counts independent of test order, and no test sees another test's cache.
    Saving ClinicDetails still replaces the cached copy (see clinic/models.py).
    """
    from django.core.cache import cache

    from clinic.models import CACHE_KEY, example_details

    cache.clear()
    cache.set(CACHE_KEY, example_details())
    yield
    cache.clear()
