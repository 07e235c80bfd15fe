"""One guardian group per partner organisation, created on demand, equal to its members.

Organisation shares grant guardian permissions to this group; the terms in force must also
name the user's current organisation (`cases.sharing.grants`), so a user who moves
organisation loses the old organisation's shares at once even before the group is updated.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from cases.sharing.models import OrganisationGroup
from shelter.accounts.models import Organisation, User

GROUP_PREFIX = "shelter-organisation-"


def organisation_group(organisation: Organisation) -> Group:
    """The organisation's group, created (with its current members) the first time."""
    link = OrganisationGroup.objects.filter(organisation=organisation).select_related("group")
    if link.exists():
        return link.get().group
    group, _created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{organisation.pk}")
    OrganisationGroup.objects.create(organisation=organisation, group=group)
    group.user_set.add(*organisation.members.all())
    return group


def sync_user(user: User) -> None:
    """Put `user` in their organisation's group (if it exists) and in no other one."""
    links = OrganisationGroup.objects.filter(group__user=user.pk).exclude(
        organisation_id=user.organisation_id)
    stale = [link.group_id for link in links]
    if stale:
        user.groups.remove(*stale)
    mine = OrganisationGroup.objects.filter(organisation_id=user.organisation_id).first()
    if mine is not None and user.is_active and not user.groups.filter(pk=mine.group_id).exists():
        user.groups.add(mine.group_id)


def on_user_saved(sender: Any, instance: User, raw: bool = False,
                  update_fields: Any = None, **kwargs: Any) -> None:
    """Membership follows the organisation (saves of e.g. `last_login` alone are skipped)."""
    if raw or (update_fields and not {"organisation", "is_active"} & set(update_fields)):
        return
    sync_user(instance)


def on_groups_changed(sender: Any, instance: Any, action: str, reverse: bool,
                      **kwargs: Any) -> None:
    """Role changes use `user.groups.set(...)`, which would drop the organisation group."""
    if not reverse and isinstance(instance, User) and action in (
            "post_add", "post_remove", "post_clear"):
        sync_user(instance)
