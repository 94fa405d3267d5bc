from django.conf import settings

# Example values until the clinic enters its own (clearly example data: 555-01xx, example.org).
CLINIC = {
    "name": "Example Pain Clinic",
    "phone": "555-0100",
    "phone_tel": "+1-555-0100",
    "address": "100 Example Street, Example City (example address)",
    "hours": "Monday to Friday, 8 am to 5 pm (example hours)",
    "out_of_hours": "Call 555-0101 for the doctor on call (example number).",
    "email": "info@example.org",
}


def site(request):
    """Facts every template may need: the canonical base URL and the clinic's details."""
    return {"SITE_URL": settings.SITE_URL, "clinic": CLINIC}
