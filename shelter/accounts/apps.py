from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_role_permissions(sender, using="default", **kwargs) -> None:
    """After every migrate, give each role group exactly the permissions in roles.py.

    The data migration creates the groups; apps added later bring new permissions, and this
    keeps the groups in step with the one list in roles.py.
    """
    from django.contrib.auth.models import Group, Permission

    from shelter.accounts.roles import ROLE_PERMISSIONS

    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for dotted in dotted_names:
            app_label, codename = dotted.split(".")
            wanted += list(Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


class AccountsConfig(AppConfig):
    name = "shelter.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from shelter.accounts import signals  # noqa: F401

        post_migrate.connect(sync_role_permissions, dispatch_uid="shelter_sync_roles")
