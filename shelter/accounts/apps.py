from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from shelter.accounts.roles import Role


def ensure_role_groups(sender, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """The four role groups exist after every migrate, and after every flush (which empties
    the tables and then sends post_migrate): the data migration made them only once."""
    group_model = apps.get_model("auth", "Group")
    for role in Role:
        group_model.objects.using(using).get_or_create(name=role.value)


class AccountsConfig(AppConfig):
    name = "shelter.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from shelter.accounts import alerts, panels, phishing, signals, stamps
        from shelter.dashboard import register

        # Sessions remember the verified device and the role until these move the stamp.
        stamps.connect()

        # A sign-in by code of someone whose role must use a passkey: a recovery, made loud.
        signals.second_factor_verified.connect(phishing.on_session_raised,
                                               dispatch_uid="shelter_recovery_sign_in")
        # Security alerts to the person: a sign-in from a new device, a lockout.
        signals.second_factor_verified.connect(alerts.on_second_factor_verified,
                                               dispatch_uid="shelter_new_device_alert")
        signals.account_locked.connect(alerts.on_account_locked,
                                       dispatch_uid="shelter_lockout_alert")
        register(panels.recovery_panel, order=20)
        post_migrate.connect(ensure_role_groups, dispatch_uid="shelter_role_groups")
