import uuid

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _assigned_officer_reads_history(user, target_id: str) -> bool:
    """The officer assigned to a case may read that case's access history (SECURITY.md, "Who may
    see what": the access log row)."""
    from cases.models import Case

    if not user.is_case_officer:
        return False
    try:
        case_id = uuid.UUID(str(target_id))
    except ValueError:
        return False
    return Case.objects.filter(pk=case_id, assigned_officer=user).exists()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import audit_names
        from cases.panels import cases_panel
        from shelter import dashboard
        from shelter.audit import labels
        from shelter.audit.policies import register_history_policy

        dashboard.register(cases_panel, order=20)
        register_history_policy("cases.case", _assigned_officer_reads_history)
        labels.register_code_names("cases.case", audit_names.case_code_names)
        labels.register_code_names("cases.defender", audit_names.defender_code_names)
        labels.register_case_finder(audit_names.cases_by_code_name)
