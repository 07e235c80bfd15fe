"""The access stamp: a counter on the user row that moves whenever what a session remembers
about the user could have changed, namely their second-factor devices and their role.

Sessions keep the verified device and the role with the stamp they saw
(`shelter.accounts.middleware.OTPSessionMiddleware`), instead of two queries a request. The
receivers below move the stamp on every save and delete of any django-otp device (authenticator
app, backup codes, passkeys, provider MFA, whichever app defines them) and on every change of
the user's groups, in the same transaction as the change. A device removed or a role taken away
in one request is therefore seen by the next request of every other session of that user.

Bulk `QuerySet.update()` sends no signal: no code in Shelter updates devices or group
membership that way (a test in tests/accounts holds every device model to these receivers).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

DISPATCH = "shelter_access_stamp"


def bump(user_ids) -> None:
    """Move the stamp of these users (one UPDATE; nothing for an empty set)."""
    ids = [pk for pk in user_ids if pk is not None]
    if ids:
        apps.get_model("accounts", "User").objects.filter(pk__in=ids).update(
            access_stamp=F("access_stamp") + 1)


def _device_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        bump([getattr(instance, "user_id", None)])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:  # user.groups.add/remove/set/clear
        bump([instance.pk])
    elif pk_set:  # group.user_set.add/remove
        bump(pk_set)
    else:  # group.user_set.clear(): every member, before they are removed
        bump(instance.user_set.values_list("pk", flat=True))


def device_models() -> list[type]:
    """Every installed model that is a django-otp device (concrete ones)."""
    from django_otp.models import Device

    return [model for model in apps.get_models() if issubclass(model, Device)]


def connect() -> None:
    user_model = apps.get_model("accounts", "User")
    for model in device_models():
        post_save.connect(_device_changed, sender=model, dispatch_uid=f"{DISPATCH}_save_{model}")
        post_delete.connect(_device_changed, sender=model,
                            dispatch_uid=f"{DISPATCH}_delete_{model}")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through,
                        dispatch_uid=f"{DISPATCH}_groups")
