"""Signals between layers: a lower layer announces, upper layers listen."""

from django.dispatch import Signal

# Sent after pages were written or re-rendered in bulk (inside the transaction): by the
# content loader after a load, and when new clinic numbers re-render every page. Derived
# stores (the search index, the page cache) follow once, not once per page.
content_loaded = Signal()
