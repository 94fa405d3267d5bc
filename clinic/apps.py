from django.apps import AppConfig

from core.registry import registry


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic details"

    def ready(self):
        from .models import clinic_details

        registry.set_fact_source(self.get_model("ClinicDetails").current_facts)
        registry.set_clinic_source(clinic_details)
