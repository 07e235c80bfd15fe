from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext_lazy as _

from shelter import dashboard
from shelter.audit import labels


class SharingConfig(AppConfig):
    name = "cases.sharing"
    label = "sharing"
    verbose_name = _("Sharing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # These modules import models, which exist only once the app registry is ready.
        from cases.sharing import groups, panels
        from shelter.accounts.models import User

        dashboard.register(panels.expiring_shares_panel, order=15)
        dashboard.register(panels.break_glass_panel, order=10)
        post_save.connect(groups.on_user_saved, sender=User,
                          dispatch_uid="cases.sharing.groups.user")
        m2m_changed.connect(groups.on_groups_changed, sender=User.groups.through,
                            dispatch_uid="cases.sharing.groups.groups")
        # Entries written before the models moved here name them "cases.<model>"; the chain
        # hashes that string, so those entries keep it and both names read the same.
        for model in ("caseshare", "breakglass"):
            labels.register_former_type(f"sharing.{model}", f"cases.{model}")
