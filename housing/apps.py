from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cases.choices import Stage
from cases.lifecycle import register_guard


class HousingConfig(AppConfig):
    name = "housing"
    verbose_name = _("Housing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules load models.
        from housing.panels import housing_panel
        from housing.selectors import residency_needs_housing
        from shelter import dashboard

        register_guard(Stage.IN_RESIDENCE, residency_needs_housing)
        dashboard.register(housing_panel, order=30)
