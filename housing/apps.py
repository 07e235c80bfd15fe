from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _needs_confirmed_booking(case, reason: str):
    """Lifecycle guard of "In residence": a confirmed booking that has not ended.

    Applies once the programme manages housing here (any unit registered); a municipality
    that houses defenders outside Shelter is not blocked by an empty housing module.
    """
    from housing.selectors import case_has_confirmed_booking, housing_in_use

    if not housing_in_use() or case_has_confirmed_booking(case):
        return None
    return _("Book and confirm housing before the residency starts.")


class HousingConfig(AppConfig):
    name = "housing"
    verbose_name = _("Housing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases.lifecycle import register_guard
        from cases.models import Case
        from housing.panels import housing_panel
        from shelter import dashboard

        register_guard(Case.Stage.IN_RESIDENCE, _needs_confirmed_booking)
        dashboard.register(housing_panel, order=30)
