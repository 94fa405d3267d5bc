from django.conf import settings

from clinic.models import clinic_details


def site(request):
    """Facts every template may need: the canonical base URL and the clinic's details.

    ``clinic`` is a dict (name, phone, phone_tel, address, hours, out_of_hours,
    email) edited in the admin under "Clinic details" and served from the cache.
    """
    return {"SITE_URL": settings.SITE_URL, "clinic": clinic_details()}
