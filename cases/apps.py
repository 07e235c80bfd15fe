from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules load models.
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
        register_history_policy("cases.case", audit_names.assigned_officer_reads_history)
        labels.register_code_names("cases.case", audit_names.case_code_names)
        labels.register_code_names("cases.defender", audit_names.defender_code_names)
        labels.register_case_finder(audit_names.cases_by_code_name)
