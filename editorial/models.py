"""The editorial app holds the content loader, exporter and reports; it has no tables yet."""
