import pytest
from django.conf import settings

from editorial import loader


@pytest.fixture
def site_content(db):
    """The real content/ folder loaded into the test database."""
    return loader.load(settings.CONTENT_DIR)
