from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules load models.
        from cases import audit_names
        from cases.panels import cases_panel
        from shelter import dashboard
        from shelter.audit import labels
        from shelter.audit.policies import register_history_policy

        dashboard.register(cases_panel, order=20)
        register_history_policy("cases.case", audit_names.assigned_officer_reads_history)
        labels.register_code_names("cases.case", audit_names.case_code_names)
        labels.register_code_names("cases.defender", audit_names.defender_code_names)
        labels.register_case_finder(audit_names.cases_by_code_name)
