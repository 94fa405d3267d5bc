from django.apps import AppConfig

from core.registry import registry


class FiguresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "figures"
    verbose_name = "Images"

    def ready(self):
        from .embed import embed_figures  # embed needs the Figure model, loaded by now

        registry.register_model("figure", self.get_model("Figure"))
        registry.add_html_filter(embed_figures)
