"""Signals between layers: a lower layer announces, upper layers listen."""

from django.dispatch import Signal

# Sent by the content loader after a load has written (inside its transaction),
# so that derived stores (the search index) follow once, not once per page.
content_loaded = Signal()
