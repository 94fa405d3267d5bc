from django.apps import AppConfig

from core.registry import registry


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic details"

    def ready(self):
        registry.set_fact_source(self.get_model("ClinicDetails").current_facts)
