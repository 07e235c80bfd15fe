from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "cases.logistics"
    label = "logistics"
    verbose_name = _("Logistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules load models.
        from cases.choices import Stage
        from cases.lifecycle import register_guard
        from cases.logistics.guards import travel_documents_cover_the_stay
        from cases.logistics.panels import logistics_panel
        from shelter import dashboard

        register_guard(Stage.IN_RESIDENCE, travel_documents_cover_the_stay, overridable=True)
        dashboard.register(logistics_panel, order=25)
