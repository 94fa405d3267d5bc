from django.apps import AppConfig

from core.registry import registry


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic details"

    def ready(self):
        model = self.get_model("ClinicDetails")
        registry.set_fact_source(model.current_facts)
        registry.set_clinic_source(model.current_details)
        # Shown on every page: a change makes every cached page obsolete (core.page_cache).
        registry.register_model("clinic_details", model)
