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
        from django.db.models.signals import m2m_changed, post_save

        from cases import audit_names, sharing_groups
        from cases.panels import break_glass_panel, cases_panel, expiring_shares_panel
        from shelter import dashboard
        from shelter.accounts.models import User
        from shelter.audit import labels
        from shelter.audit.policies import register_history_policy

        dashboard.register(cases_panel, order=20)
        dashboard.register(expiring_shares_panel, order=15)
        dashboard.register(break_glass_panel, order=10)
        post_save.connect(sharing_groups.on_user_saved, sender=User,
                          dispatch_uid="cases.sharing_groups.user")
        m2m_changed.connect(sharing_groups.on_groups_changed, sender=User.groups.through,
                            dispatch_uid="cases.sharing_groups.groups")
        register_history_policy("cases.case", _assigned_officer_reads_history)
        labels.register_code_names("cases.case", audit_names.case_code_names)
        labels.register_code_names("cases.defender", audit_names.defender_code_names)
        labels.register_case_finder(audit_names.cases_by_code_name)
